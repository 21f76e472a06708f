// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string for public evidence fields (measurements, report data, keys' public
 * parts). Copies on the way in and out, so records holding it are truly immutable and compare by
 * content. Not for secrets: {@link #toString()} prints hex.
 */
public final class Bytes {
    private static final HexFormat HEX = HexFormat.of();
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] value;

    private Bytes(byte[] value) {
        this.value = value;
    }

    public static Bytes of(byte[] value) {
        return new Bytes(Objects.requireNonNull(value, "value").clone());
    }

    public static Bytes of(byte[] value, int offset, int length) {
        return new Bytes(Arrays.copyOfRange(value, offset, offset + length));
    }

    public static Bytes zeros(int length) {
        return new Bytes(new byte[length]);
    }

    /** Parses lower- or upper-case hex; a malformed string is an INVALID_ARGUMENT naming {@code field}. */
    public static Bytes fromHex(String field, String hex) {
        try {
            return new Bytes(HEX.parseHex(hex.strip()));
        } catch (IllegalArgumentException e) {
            throw dev.guestattest.core.AttestationException.invalid(field, "not valid hex (" + e.getMessage() + ")");
        }
    }

    /** Returns this value if it is exactly {@code n} bytes, else fails naming {@code field}. */
    public Bytes checkLength(String field, int n) {
        if (value.length != n) {
            throw dev.guestattest.core.AttestationException.invalid(field, "must be exactly " + n + " bytes, got " + value.length);
        }
        return this;
    }

    public int length() {
        return value.length;
    }

    public byte get(int index) {
        return value[index];
    }

    public byte[] toArray() {
        return value.clone();
    }

    /** Copies this value into {@code dest} at {@code offset}. */
    public void copyTo(byte[] dest, int offset) {
        System.arraycopy(value, 0, dest, offset, value.length);
    }

    public boolean isZero() {
        for (byte b : value) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public String hex() {
        return HEX.formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return value.length <= 64 ? hex() : HEX.formatHex(value, 0, 32) + "...(" + value.length + " bytes)";
    }
}
