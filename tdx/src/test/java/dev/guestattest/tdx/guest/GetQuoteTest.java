// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.tdx.abi.GetQuoteBuffer;
import dev.guestattest.tdx.abi.TdReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GetQuoteTest {
    private final TdReport report = TdReport.parse(Vectors.read("intel-tdx/guest-components/tdx_report_1.bin"));
    private final ExecutorService host = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        host.shutdownNow();
    }

    /** A host that answers after {@code delayMs} with {@code status} and a quote echoing the report. */
    private QuoteService host(long status, int delayMs, byte[] quote) {
        return buffer -> host.execute(() -> {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                return;
            }
            buffer.hostWrite(status, quote.length, quote);
        });
    }

    @Test
    void successReturnsExactlyOutLenBytes() {
        byte[] quote = new byte[5000];
        quote[4999] = 9;
        byte[] got = new GetQuote(host(GetQuoteBuffer.STATUS_SUCCESS, 0, quote), Duration.ofSeconds(5)).quote(report);
        assertThat(got).isEqualTo(quote);
    }

    @Test
    void theHostSeesTheTdReportInTheGhciLayout() {
        byte[][] seen = new byte[1][];
        new GetQuote(buffer -> {
            seen[0] = buffer.inputReport();
            buffer.hostWrite(0, 1, new byte[] {1});
        }, Duration.ofSeconds(5)).quote(report);
        assertThat(seen[0]).isEqualTo(report.toBytes());
    }

    @Test
    void errorStatusesCarryTheVendorStatus() {
        for (long status : new long[] {GetQuoteBuffer.STATUS_ERROR, GetQuoteBuffer.STATUS_SERVICE_UNAVAILABLE, 42}) {
            GetQuote q = new GetQuote(host(status, 0, new byte[0]), Duration.ofSeconds(5));
            assertThatThrownBy(() -> q.quote(report))
                    .isInstanceOfSatisfying(AttestationException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
                        assertThat(e.vendorStatus()).hasValue(status);
                    }).hasMessageContaining(String.format("0x%016x", status));
        }
    }

    @Test
    void anEmptyQuoteIsNeverSuccess() {
        GetQuote q = new GetQuote(host(GetQuoteBuffer.STATUS_SUCCESS, 0, new byte[0]), Duration.ofSeconds(5));
        assertThatThrownBy(() -> q.quote(report)).hasMessageContaining("empty quote");
    }

    @Test
    void aHostClaimingMoreThanTheBufferIsTooLarge() {
        GetQuote q = new GetQuote(buffer -> buffer.hostWrite(0, 0xffff_ffffL, new byte[10]), Duration.ofSeconds(5), 4096);
        assertThatThrownBy(() -> q.quote(report))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessage("GetQuote out_len: 4294967295 bytes exceeds the limit of 4072 bytes");
    }

    @Test
    void aFailingHypercallIsReported() {
        GetQuote q = new GetQuote(buffer -> {
            throw AttestationException.device(1, "GetQuote: TDG.VP.VMCALL failed");
        }, Duration.ofSeconds(5));
        assertThatThrownBy(() -> q.quote(report)).hasMessageContaining("VMCALL failed");
    }

    @Test
    void aStuckServiceTimesOutAndDoesNotWedgeLaterRequests() {
        AtomicInteger calls = new AtomicInteger();
        QuoteService firstStuck = buffer -> {
            if (calls.getAndIncrement() > 0) {
                buffer.hostWrite(0, 3, new byte[] {1, 2, 3});
            } // the first request is never answered
        };
        GetQuote q = new GetQuote(firstStuck, Duration.ofMillis(300));
        long start = System.nanoTime();
        assertThatThrownBy(() -> q.quote(report))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("abandoned");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(q.quote(report)).containsExactly(1, 2, 3);
    }

    @Test
    void oneRequestInFlightAtATimeAndQueuedCallersTimeOut() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        QuoteService slow = buffer -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            host.execute(() -> {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
                inFlight.decrementAndGet();
                buffer.hostWrite(0, 1, new byte[] {7});
            });
        };
        GetQuote q = new GetQuote(slow, Duration.ofSeconds(20));
        ExecutorService guests = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                all.add(guests.submit(() -> q.quote(report)));
            }
            for (Future<byte[]> f : all) {
                assertThat(f.get(30, TimeUnit.SECONDS)).containsExactly(7);
            }
            assertThat(maxInFlight.get()).isEqualTo(1);
        } finally {
            guests.shutdownNow();
        }
        GetQuote stuck = new GetQuote(buffer -> { }, Duration.ofMillis(200));
        Future<?> holder = host.submit(() -> {
            try {
                stuck.quote(report);
            } catch (AttestationException expected) {
                // times out
            }
        });
        Thread.sleep(50);
        assertThatThrownBy(() -> stuck.quote(report))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        holder.get(5, TimeUnit.SECONDS);
    }

    @Test
    void interruptionIsReportedAndRestored() throws Exception {
        GetQuote q = new GetQuote(buffer -> { }, Duration.ofSeconds(30));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> q.quote(report))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTERRUPTED));
            assertThat(Thread.interrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
