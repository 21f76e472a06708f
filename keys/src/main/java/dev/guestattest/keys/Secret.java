// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys;

import dev.guestattest.core.AttestationException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.Function;
import javax.security.auth.Destroyable;

/**
 * Secret key material. It is never printed: {@code toString} says only that it is a secret, and
 * no message GuestAttest builds includes its bytes. {@link #destroy()} zeroes it; use after that
 * fails. Equality is identity, so secrets are never compared in variable time by accident.
 */
public final class Secret implements Destroyable {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A secret holding a copy of {@code material} (the caller should wipe its own array). */
    public static Secret copyOf(byte[] material) {
        return new Secret(material.clone());
    }

    /** Reads at most {@code limit} bytes from {@code in}; more is an error, never a silent cut. */
    public static Secret read(InputStream in, int limit, String field) {
        try {
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > limit) {
                Arrays.fill(b, (byte) 0);
                throw AttestationException.of(dev.guestattest.core.Reason.TOO_LARGE, field + ": more than the limit of " + limit + " bytes");
            }
            if (b.length == 0) {
                throw AttestationException.invalid(field, "is empty");
            }
            return new Secret(b);
        } catch (IOException e) {
            throw AttestationException.of(dev.guestattest.core.Reason.IO_ERROR, field + ": cannot read: " + e.getMessage());
        }
    }

    public int length() {
        return bytes.length;
    }

    /**
     * Runs {@code use} on the material itself (no copy). {@code use} must not keep, change or
     * print the array.
     */
    public <T> T apply(Function<byte[], T> use) {
        if (destroyed) {
            throw new IllegalStateException("secret was destroyed");
        }
        return use.apply(bytes);
    }

    /** A copy of the material, for APIs that need their own array; the caller wipes it. */
    public byte[] copy() {
        return apply(byte[]::clone);
    }

    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "Secret[" + bytes.length + " bytes, redacted]";
    }
}
