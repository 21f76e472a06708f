// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import dev.guestattest.core.AttestationException;

/**
 * A bounds-checked little-endian cursor over untrusted bytes. Every read checks the length first
 * and fails with an INVALID_ARGUMENT that names the structure, the field, the offset and what is
 * missing, so parsers never index past the end or allocate from an unchecked length.
 */
public final class ByteReader {
    private final String struct;
    private final byte[] data;
    private final int limit;
    private int position;

    public ByteReader(String struct, byte[] data) {
        this(struct, data, 0, data.length);
    }

    public ByteReader(String struct, byte[] data, int offset, int limit) {
        if (offset < 0 || limit > data.length || offset > limit) {
            throw new IllegalArgumentException("bad window " + offset + ".." + limit + " of " + data.length);
        }
        this.struct = struct;
        this.data = data;
        this.position = offset;
        this.limit = limit;
    }

    public int position() {
        return position;
    }

    public int remaining() {
        return limit - position;
    }

    /** Fails unless {@code n} bytes remain for {@code field}. */
    public void require(String field, long n) {
        if (n < 0 || n > remaining()) {
            throw AttestationException.invalid(struct + "." + field,
                    "needs " + n + " bytes at offset " + position + " but only " + remaining() + " remain");
        }
    }

    public Bytes bytes(String field, int n) {
        require(field, n);
        Bytes b = Bytes.of(data, position, n);
        position += n;
        return b;
    }

    public byte[] rawBytes(String field, int n) {
        require(field, n);
        byte[] b = java.util.Arrays.copyOfRange(data, position, position + n);
        position += n;
        return b;
    }

    public int u8(String field) {
        require(field, 1);
        return data[position++] & 0xff;
    }

    public int u16(String field) {
        require(field, 2);
        int v = (data[position] & 0xff) | (data[position + 1] & 0xff) << 8;
        position += 2;
        return v;
    }

    public long u32(String field) {
        require(field, 4);
        long v = (data[position] & 0xffL) | (data[position + 1] & 0xffL) << 8
                | (data[position + 2] & 0xffL) << 16 | (data[position + 3] & 0xffL) << 24;
        position += 4;
        return v;
    }

    public long u64(String field) {
        long lo = u32(field);
        long hi = u32(field);
        return lo | hi << 32;
    }

    /** Reads a u32 length and checks it fits both the remaining bytes and {@code max}. */
    public int length32(String field, long max) {
        int at = position;
        long n = u32(field);
        if (n > max) {
            throw AttestationException.invalid(struct + "." + field,
                    "declared length " + n + " at offset " + at + " exceeds the limit of " + max);
        }
        require(field, n);
        return (int) n;
    }

    /** The bytes after the current position, consumed. */
    public Bytes rest() {
        return bytes("trailing", remaining());
    }

    public String struct() {
        return struct;
    }
}
