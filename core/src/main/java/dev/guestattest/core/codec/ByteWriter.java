// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import java.util.Arrays;

/** A growable little-endian writer, the inverse of {@link ByteReader}. */
public final class ByteWriter {
    private byte[] buf;
    private int size;

    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public ByteWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ByteWriter u16(int v) {
        ensure(2);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        return this;
    }

    public ByteWriter u32(long v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public ByteWriter u64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public ByteWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    public ByteWriter bytes(Bytes b) {
        ensure(b.length());
        b.copyTo(buf, size);
        size += b.length();
        return this;
    }

    /** Writes {@code b}, which must be exactly {@code n} bytes long (a fixed-size field). */
    public ByteWriter fixed(String field, Bytes b, int n) {
        if (b.length() != n) {
            throw dev.guestattest.core.AttestationException.invalid(field, "must be exactly " + n + " bytes, got " + b.length());
        }
        return bytes(b);
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
