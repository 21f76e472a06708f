// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.tdx.abi.GetQuoteBuffer;
import dev.guestattest.tdx.abi.TdReport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The guest driver's GetQuote semantics, as the kernel's tdx-guest has them, minus its known
 * failures (linux-abi.md §1.10, §5): one request in flight at a time, others queued fairly; every
 * wait bounded by one timeout (default 30 s); status and out_len read once and checked; an empty
 * quote is an error. Each request gets its own buffer, so a request the host never answers is
 * abandoned at its timeout instead of wedging every later request behind EBUSY.
 */
public final class GetQuote {
    private final QuoteService service;
    private final Duration timeout;
    private final int capacity;
    private final Semaphore inFlight = new Semaphore(1, true);

    public GetQuote(QuoteService service, Duration timeout) {
        this(service, timeout, GetQuoteBuffer.DEFAULT_CAPACITY);
    }

    public GetQuote(QuoteService service, Duration timeout, int capacity) {
        this.service = Objects.requireNonNull(service, "service");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.capacity = capacity;
        if (timeout.isNegative() || timeout.isZero()) {
            throw AttestationException.invalid("quote timeout", "must be positive, got " + timeout);
        }
    }

    /** Turns a TDREPORT into a quote within the timeout, counting the wait for the queue. */
    public byte[] quote(TdReport report) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!inFlight.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw AttestationException.of(Reason.TIMEOUT, "GetQuote: another quote was still in flight after "
                        + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "GetQuote: interrupted while waiting for the quote queue");
        }
        try {
            GetQuoteBuffer buffer = GetQuoteBuffer.request(report.toBytes(), capacity);
            service.submit(buffer);
            boolean done;
            try {
                done = buffer.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AttestationException.of(Reason.INTERRUPTED, "GetQuote: interrupted while the quote was in flight");
            }
            if (!done) {
                throw AttestationException.of(Reason.TIMEOUT, "GetQuote: no answer from the quoting service within "
                        + timeout.toMillis() + " ms; the request was abandoned and later requests are not blocked");
            }
            return collect(buffer);
        } finally {
            inFlight.release();
        }
    }

    private static byte[] collect(GetQuoteBuffer buffer) {
        GetQuoteBuffer.Snapshot s = buffer.snapshot();
        if (s.status() != GetQuoteBuffer.STATUS_SUCCESS) {
            String what = s.status() == GetQuoteBuffer.STATUS_SERVICE_UNAVAILABLE ? "SERVICE_UNAVAILABLE"
                    : s.status() == GetQuoteBuffer.STATUS_ERROR ? "ERROR" : "unknown";
            throw AttestationException.device(s.status(), String.format(
                    "GetQuote: quoting service returned status %s (0x%016x)", what, s.status()));
        }
        long room = buffer.capacity() - GetQuoteBuffer.HEADER_SIZE;
        if (s.outLength() > room) {
            throw AttestationException.tooLarge("GetQuote out_len", s.outLength(), room);
        }
        if (s.outLength() == 0) {
            throw AttestationException.device(s.status(), "GetQuote: status SUCCESS with an empty quote; not using it");
        }
        return buffer.payload((int) s.outLength());
    }
}
