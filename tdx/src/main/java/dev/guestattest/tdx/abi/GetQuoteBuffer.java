// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.AttestationException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared buffer of TDG.VP.VMCALL&lt;GetQuote&gt; (GHCI; linux-abi.md §3.1): a 24-byte header
 * {@code {u64 version=1, u64 status, u32 in_len, u32 out_len}} and a payload that holds the
 * TDREPORT going in and the quote coming out. The host writes it asynchronously; the guest must
 * treat every host-written field as untrusted and read it once ({@link #snapshot()}).
 */
public final class GetQuoteBuffer {
    public static final int HEADER_SIZE = 24;
    public static final long VERSION = 1;
    public static final long STATUS_SUCCESS = 0;
    public static final long STATUS_IN_FLIGHT = 0xffff_ffff_ffff_ffffL;
    public static final long STATUS_ERROR = 0x8000_0000_0000_0000L;
    public static final long STATUS_SERVICE_UNAVAILABLE = 0x8000_0000_0000_0001L;
    /** Linux 7.0's buffer size: room for DICE/CWT quotes (~100 KiB). */
    public static final int DEFAULT_CAPACITY = 128 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] shared;
    /** Little-endian view of {@link #shared} for the header fields. */
    private final ByteBuffer header;

    /** What the guest read of the header, once. */
    public record Snapshot(long status, long outLength) {
    }

    private GetQuoteBuffer(byte[] shared) {
        this.shared = shared;
        this.header = ByteBuffer.wrap(shared).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A buffer of {@code capacity} bytes (header included) holding {@code tdReport}, status IN_FLIGHT. */
    public static GetQuoteBuffer request(byte[] tdReport, int capacity) {
        if (tdReport.length != TdReport.SIZE) {
            throw AttestationException.invalid("tdreport", tdReport.length + " bytes; must be " + TdReport.SIZE);
        }
        if (capacity < HEADER_SIZE + TdReport.SIZE) {
            throw AttestationException.invalid("GetQuote buffer", capacity + " bytes is smaller than header plus TDREPORT");
        }
        GetQuoteBuffer b = new GetQuoteBuffer(new byte[capacity]);
        b.header.putLong(0, VERSION).putLong(8, STATUS_IN_FLIGHT).putInt(16, TdReport.SIZE).putInt(20, 0);
        System.arraycopy(tdReport, 0, b.shared, HEADER_SIZE, TdReport.SIZE);
        return b;
    }

    public int capacity() {
        return shared.length;
    }

    /** Host side: the TDREPORT the guest put in (in_len checked against the buffer). */
    public byte[] inputReport() {
        lock.lock();
        try {
            long inLen = Integer.toUnsignedLong(header.getInt(16));
            if (inLen > shared.length - HEADER_SIZE) {
                throw AttestationException.invalid("getquote.in_len", inLen + " exceeds the buffer");
            }
            return Arrays.copyOfRange(shared, HEADER_SIZE, HEADER_SIZE + (int) inLen);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Host side: writes status, out_len and as much of {@code payload} as fits, then notifies the
     * guest (the event-notify interrupt). A host may claim any out_len; the guest must check it.
     */
    public void hostWrite(long status, long outLength, byte[] payload) {
        lock.lock();
        try {
            header.putLong(8, status).putInt(20, (int) outLength);
            System.arraycopy(payload, 0, shared, HEADER_SIZE, Math.min(payload.length, shared.length - HEADER_SIZE));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Guest side: waits until the status leaves IN_FLIGHT or the time runs out; true when done. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (header.getLong(8) == STATUS_IN_FLIGHT) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Guest side: status and out_len, read exactly once. */
    public Snapshot snapshot() {
        lock.lock();
        try {
            return new Snapshot(header.getLong(8), Integer.toUnsignedLong(header.getInt(20)));
        } finally {
            lock.unlock();
        }
    }

    /** Guest side: the quote bytes, for an out_len already checked against {@link #capacity()}. */
    public byte[] payload(int length) {
        if (length < 0 || length > shared.length - HEADER_SIZE) {
            throw new IllegalArgumentException("unchecked out_len " + length);
        }
        lock.lock();
        try {
            return Arrays.copyOfRange(shared, HEADER_SIZE, HEADER_SIZE + length);
        } finally {
            lock.unlock();
        }
    }
}
