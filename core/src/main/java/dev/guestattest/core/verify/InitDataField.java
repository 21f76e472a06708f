// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a TEE's evidence carries the digest of the init-data the host launched the guest with, and
 * how the digest was put there, as Trustee checks it (trustee 78962cd4 {@code deps/verifier/src/*}):
 * TDX MRCONFIGID (48 bytes) and SNP HOST_DATA (32 bytes) hold the digest zero-padded or truncated to
 * their size ({@code regularize_data}); a CCA realm's personalization value (64 bytes) holds it as is;
 * a TPM's (or vTPM's) SHA-256 PCR 8 is a single extend of a 32-byte digest from zero.
 */
public record InitDataField(String name, Bytes value, Binding binding) {
    public enum Binding {
        /** The digest zero-padded to the field's size, or its first bytes when longer. */
        ZERO_PADDED,
        /** The digest itself: only a digest of the field's size can match. */
        EXACT,
        /** SHA-256(32 zero bytes || digest): PCR 8 after one extend; only a 32-byte digest can match. */
        PCR_EXTENDED
    }

    public InitDataField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(binding, "binding");
    }

    /** Whether this field holds {@code digest}, by its binding. */
    public boolean binds(Bytes digest) {
        return switch (binding) {
            case ZERO_PADDED -> Bytes.of(Arrays.copyOf(digest.toArray(), value.length())).equals(value);
            case EXACT -> digest.equals(value);
            case PCR_EXTENDED -> digest.length() == 32
                    && Bytes.of(HashAlgorithm.SHA256.hash(concat(new byte[32], digest.toArray()))).equals(value);
        };
    }

    /** What {@link #binds} needs of a digest here, for a refusal to say. */
    public String rule() {
        return switch (binding) {
            case ZERO_PADDED -> name + " holds the init-data digest zero-padded (or truncated) to " + value.length() + " bytes";
            case EXACT -> name + " holds the init-data digest itself (" + value.length() + " bytes)";
            case PCR_EXTENDED -> name + " is SHA-256(32 zero bytes || the 32-byte init-data digest)";
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
