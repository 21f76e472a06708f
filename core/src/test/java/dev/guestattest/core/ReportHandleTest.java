// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.testing.FakeProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ReportHandleTest {
    private final Tsm tsm = new Tsm();
    private final FakeProvider provider = FakeProvider.tdxLike("tdx/emulated");

    ReportHandleTest() {
        tsm.register(provider);
    }

    @Test
    void everyAcceptedWriteBumpsTheGenerationByOne() {
        ReportHandle h = tsm.newHandle();
        assertThat(h.generation()).isZero();
        assertThat(h.writeInblob(new byte[64])).isEqualTo(1);
        assertThat(h.writePrivlevel(0)).isEqualTo(2);
        assertThatThrownBy(() -> h.writePrivlevel(4)).hasMessageStartingWith("privlevel: 4 is outside 0..3");
        assertThatThrownBy(() -> h.writeInblob(new byte[65])).hasMessageStartingWith("inblob: 65 bytes");
        assertThat(h.generation()).isEqualTo(2);
        h.read();
        h.read();
        assertThat(h.generation()).as("reads never change the generation").isEqualTo(2);
    }

    @Test
    void outputsAreGeneratedLazilyAndCachedUntilTheNextWrite() {
        ReportHandle h = tsm.newHandle();
        h.writeInblob(new byte[64]);
        assertThat(provider.calls.get()).isZero();
        Report first = h.read();
        assertThat(h.read()).isSameAs(first);
        assertThat(provider.calls.get()).isEqualTo(1);
        byte[] other = new byte[64];
        other[5] = 1;
        h.writeInblob(other);
        Report second = h.read();
        assertThat(provider.calls.get()).isEqualTo(2);
        assertThat(second.generation()).isEqualTo(2);
        assertThat(new String(second.outblob().toArray(), StandardCharsets.US_ASCII)).contains("0000000001");
    }

    @Test
    void readingBeforeAnyInblobIsInvalid() {
        assertThatThrownBy(() -> tsm.newHandle().read()).hasMessageStartingWith("inblob: empty");
    }

    @Test
    void aReaderSeesAnotherWritersChange() {
        ReportHandle h = tsm.newHandle();
        long mine = h.writeInblob(new byte[64]);
        h.writeInblob(new byte[64]); // another writer
        assertThatThrownBy(() -> h.read(mine))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GENERATION_CHANGED))
                .hasMessage("generation: expected 1 but another writer moved it to 2");
    }

    @Test
    void writesDuringGenerationAreDetected() {
        ReportHandle[] handle = new ReportHandle[1];
        AtomicInteger interfere = new AtomicInteger(2);
        Tsm t = new Tsm();
        t.register(new FakeProvider("x/y", InputRules.exactly(64, false, false), 0) {
            @Override
            public ReportBlobs report(ReportRequest r) {
                if (interfere.getAndDecrement() > 0) {
                    handle[0].writeInblob(new byte[64]);
                }
                return super.report(r);
            }
        });
        handle[0] = t.newHandle();
        Report r = handle[0].generate(ReportRequest.of(new byte[64]), 3);
        assertThat(r.generation()).isEqualTo(handle[0].generation());
        interfere.set(100);
        assertThatThrownBy(() -> handle[0].generate(ReportRequest.of(new byte[64]), 2))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GENERATION_CHANGED))
                .hasMessageContaining("on each of 2 attempts");
    }

    @Test
    void concurrentReadersOfOneGenerationShareOneGeneration() throws Exception {
        ReportHandle h = tsm.newHandle();
        h.writeInblob(new byte[64]);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CyclicBarrier start = new CyclicBarrier(8);
        try {
            List<Future<Report>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return h.read();
                }));
            }
            Report first = reads.get(0).get(10, TimeUnit.SECONDS);
            for (Future<Report> f : reads) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(provider.calls.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void privlevelBelowTheFloorIsRejected() {
        Tsm t = new Tsm();
        t.register(new FakeProvider("snp/x", InputRules.exactly(64, true, true), 2));
        ReportHandle h = t.newHandle();
        assertThatThrownBy(() -> h.writePrivlevel(1)).hasMessage("privlevel: 1 is below provider 'snp/x' floor of 2 (allowed 2..3)");
        assertThat(h.generation()).isZero();
        h.writeInblob(new byte[64]);
        assertThatThrownBy(h::read).hasMessageContaining("below provider 'snp/x' floor of 2");
        h.writePrivlevel(3);
        assertThat(new String(h.read().outblob().toArray(), StandardCharsets.US_ASCII)).endsWith(":3");
    }
}
