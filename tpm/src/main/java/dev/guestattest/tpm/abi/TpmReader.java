// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;

/** A bounds-checked big-endian cursor over TPM structures; every error names the structure, the field and the offset. */
public final class TpmReader {
    private final String struct;
    private final byte[] data;
    private int pos;

    public TpmReader(String struct, byte[] data) {
        this.struct = struct;
        this.data = data;
    }

    private void need(String field, int n) {
        if (n < 0 || n > data.length - pos) {
            throw AttestationException.invalid(struct + "." + field, "needs " + n + " bytes at offset " + pos + ", " + (data.length - pos) + " remain");
        }
    }

    public int u8(String field) {
        need(field, 1);
        return data[pos++] & 0xff;
    }

    public int u16(String field) {
        need(field, 2);
        int v = (data[pos] & 0xff) << 8 | (data[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    public long u32(String field) {
        need(field, 4);
        long v = (long) (data[pos] & 0xff) << 24 | (data[pos + 1] & 0xff) << 16 | (data[pos + 2] & 0xff) << 8 | (data[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long u64(String field) {
        return u32(field) << 32 | u32(field);
    }

    public Bytes bytes(String field, int n) {
        need(field, n);
        Bytes b = Bytes.of(data, pos, n);
        pos += n;
        return b;
    }

    /** A TPM2B: u16 size, then that many bytes (bounded by {@code max}). */
    public Bytes tpm2b(String field, int max) {
        int n = u16(field + ".size");
        if (n > max) {
            throw AttestationException.invalid(struct + "." + field, "size " + n + " at offset " + (pos - 2) + " exceeds " + max);
        }
        return bytes(field, n);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return data.length - pos;
    }
}
