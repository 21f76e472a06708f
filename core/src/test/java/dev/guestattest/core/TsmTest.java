// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.testing.FakeProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TsmTest {
    private static ReportRequest request(int tag) {
        byte[] in = new byte[64];
        in[0] = (byte) tag;
        in[63] = (byte) (tag >> 8);
        return ReportRequest.of(in);
    }

    private static String expected(ReportRequest r) {
        return "evidence:" + HexFormat.of().formatHex(r.inblob().toArray()) + ":0";
    }

    @Test
    void requestWithoutProviderFailsClearly() {
        Tsm tsm = new Tsm();
        assertThatThrownBy(() -> tsm.report(request(1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER))
                .hasMessageStartingWith("no attestation provider registered");
    }

    @Test
    void secondRegistrationFailsNamingTheHolder() {
        Tsm tsm = new Tsm();
        tsm.register(FakeProvider.tdxLike("tdx/emulated"));
        assertThatThrownBy(() -> tsm.register(FakeProvider.tdxLike("snp/emulated")))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROVIDER_CONFLICT))
                .hasMessageContaining("'tdx/emulated' is already registered").hasMessageContaining("snp/emulated");
        assertThat(tsm.providerName()).contains("tdx/emulated");
    }

    @Test
    void unregisterOfANonHolderIsRefused() {
        Tsm tsm = new Tsm();
        tsm.register(FakeProvider.tdxLike("a/x"));
        assertThatThrownBy(() -> tsm.unregister(FakeProvider.tdxLike("a/x"), Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROVIDER_CONFLICT));
    }

    @Test
    void unregisterWaitsForInFlightRequestsAndRefusesNewOnes() throws Exception {
        Tsm tsm = new Tsm();
        FakeProvider p = FakeProvider.tdxLike("tdx/emulated").closeGate();
        tsm.register(p);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Report> inFlight = pool.submit(() -> tsm.report(request(1)));
            assertThat(p.entered.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> removal = pool.submit(() -> tsm.unregister(p, Duration.ofSeconds(20)));
            Thread.sleep(200);
            assertThat(removal.isDone()).isFalse();
            assertThatThrownBy(() -> tsm.report(request(2)))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER))
                    .hasMessageContaining("being removed");
            assertThatThrownBy(() -> tsm.register(FakeProvider.tdxLike("other/x"))).hasMessageContaining("being removed");
            p.open();
            assertThat(new String(inFlight.get(10, TimeUnit.SECONDS).outblob().toArray(), StandardCharsets.US_ASCII))
                    .isEqualTo(expected(request(1)));
            removal.get(10, TimeUnit.SECONDS);
            assertThat(tsm.providerName()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unregisterTimeoutLeavesTheProviderRegistered() throws Exception {
        Tsm tsm = new Tsm();
        FakeProvider p = FakeProvider.tdxLike("tdx/emulated").closeGate();
        tsm.register(p);
        CompletableFuture<Report> inFlight = CompletableFuture.supplyAsync(() -> tsm.report(request(1)));
        assertThat(p.entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> tsm.unregister(p, Duration.ofMillis(100)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("1 request(s) still in flight");
        assertThat(tsm.providerName()).contains("tdx/emulated");
        p.open();
        inFlight.get(10, TimeUnit.SECONDS);
        assertThat(tsm.report(request(3)).provider()).isEqualTo("tdx/emulated");
        tsm.unregister(p, Duration.ZERO);
        assertThat(tsm.providerName()).isEmpty();
    }

    @Test
    void concurrentRequestsDuringRegistrationChurnNeverMixResults() throws Exception {
        Tsm tsm = new Tsm();
        FakeProvider p = FakeProvider.tdxLike("tdx/emulated");
        tsm.register(p);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            List<Future<int[]>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t * 1000;
                workers.add(pool.submit(() -> {
                    int ok = 0;
                    int refused = 0;
                    for (int i = 0; i < 300; i++) {
                        ReportRequest r = request(base + i);
                        try {
                            Report rep = tsm.report(r);
                            assertThat(new String(rep.outblob().toArray(), StandardCharsets.US_ASCII)).isEqualTo(expected(r));
                            assertThat(rep.generation()).isEqualTo(2);
                            ok++;
                        } catch (AttestationException e) {
                            assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER);
                            refused++;
                        }
                    }
                    return new int[] {ok, refused};
                }));
            }
            Future<Integer> churn = pool.submit(() -> {
                int cycles = 0;
                while (!stop.get()) {
                    tsm.unregister(p, Duration.ofSeconds(10));
                    tsm.register(p);
                    cycles++;
                }
                return cycles;
            });
            int ok = 0;
            for (Future<int[]> w : workers) {
                ok += w.get(30, TimeUnit.SECONDS)[0];
            }
            stop.set(true);
            assertThat(churn.get(10, TimeUnit.SECONDS)).isPositive();
            assertThat(ok).isPositive().isEqualTo(p.calls.get());
            tsm.unregister(p, Duration.ZERO); // nothing left in flight
        } finally {
            pool.shutdownNow();
        }
    }
}
