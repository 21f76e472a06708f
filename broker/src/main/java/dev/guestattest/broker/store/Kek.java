// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.state.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of secrets at rest: each secret has its own random AES-256 data key, the
 * secret is sealed with it (AES-GCM), and the data key is sealed with the key-encryption key. Both
 * seals bind the resource path as associated data, so a row copied onto another path does not open.
 * The KEK itself never reaches the database.
 */
public final class Kek {
    private static final int IV = 12;
    private static final int TAG_BITS = 128;
    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    private Kek(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
    }

    /** A KEK file: 32 bytes, raw or base64 (one line). */
    public static Kek load(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw AttestationException.invalid("KEK file", file + " cannot be read: " + e.getMessage());
        }
        if (b.length != 32) {
            try {
                b = Base64.getDecoder().decode(new String(b, StandardCharsets.US_ASCII).strip());
            } catch (IllegalArgumentException e) {
                throw AttestationException.invalid("KEK file", file + " holds neither 32 raw bytes nor base64 of 32 bytes");
            }
        }
        if (b.length != 32) {
            throw AttestationException.invalid("KEK file", file + " holds " + b.length + " bytes; an AES-256 KEK is 32");
        }
        Kek k = new Kek(b);
        java.util.Arrays.fill(b, (byte) 0); // the key spec holds its own copy
        return k;
    }

    /**
     * The embedded store's default: a KEK file beside the database, created once with mode 0600 (its
     * directory 0700) and written whole before any broker can read it.
     */
    public static Kek loadOrCreate(Path file) {
        if (!Files.exists(file)) {
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            byte[] encoded = Base64.getEncoder().encode(raw);
            try {
                AtomicFiles.createPrivateDirectories(file.toAbsolutePath().getParent());
                AtomicFiles.createNew(file, encoded);
            } catch (FileAlreadyExistsException raced) {
                // another broker on this directory made it first: use theirs
            } catch (IOException e) {
                throw AttestationException.of(Reason.IO_ERROR, "KEK file " + file + " cannot be created: " + e.getMessage());
            } finally {
                java.util.Arrays.fill(raw, (byte) 0);
                java.util.Arrays.fill(encoded, (byte) 0);
            }
        }
        return load(file);
    }

    /** A sealed secret: the data key sealed by the KEK, the secret sealed by the data key; each is IV || ciphertext || tag. */
    public record Sealed(byte[] wrappedKey, byte[] ciphertext) {
        @Override
        public String toString() {
            return "Sealed[" + ciphertext.length + " bytes]";
        }

        /** One column's worth: the wrapped key's length (4 bytes), the wrapped key, the ciphertext. */
        public byte[] toBytes() {
            return ByteBuffer.allocate(4 + wrappedKey.length + ciphertext.length).putInt(wrappedKey.length).put(wrappedKey).put(ciphertext).array();
        }

        public static Sealed fromBytes(String what, byte[] stored) {
            ByteBuffer b = ByteBuffer.wrap(stored);
            int n = stored.length >= 4 ? b.getInt() : -1;
            if (n < IV + TAG_BITS / 8 || n > stored.length - 4) {
                throw AttestationException.of(Reason.IO_ERROR, "stored " + what + " is not a sealed value (" + stored.length + " bytes)");
            }
            byte[] wrapped = new byte[n];
            b.get(wrapped);
            byte[] ct = new byte[b.remaining()];
            b.get(ct);
            return new Sealed(wrapped, ct);
        }
    }

    public Sealed seal(String path, byte[] secret) {
        byte[] dataKey = new byte[32];
        random.nextBytes(dataKey);
        try {
            byte[] ct = gcm(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), path, secret);
            return new Sealed(gcm(Cipher.ENCRYPT_MODE, key, path, dataKey), ct);
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** Fails (as tampering) when either seal does not open for this path: a wrong KEK, a changed row, or a row moved. */
    public byte[] open(String path, Sealed sealed) {
        byte[] dataKey = gcm(Cipher.DECRYPT_MODE, key, path, sealed.wrappedKey());
        try {
            return gcm(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), path, sealed.ciphertext());
        } finally {
            java.util.Arrays.fill(dataKey, (byte) 0);
        }
    }

    private byte[] gcm(int mode, SecretKey k, String path, byte[] input) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            if (mode == Cipher.ENCRYPT_MODE) {
                byte[] iv = new byte[IV];
                random.nextBytes(iv);
                c.init(mode, k, new GCMParameterSpec(TAG_BITS, iv));
                c.updateAAD(path.getBytes(StandardCharsets.UTF_8));
                byte[] out = c.doFinal(input);
                return ByteBuffer.allocate(IV + out.length).put(iv).put(out).array();
            }
            if (input.length < IV + TAG_BITS / 8) {
                throw AttestationException.of(Reason.IO_ERROR, "stored secret for " + path + " is truncated");
            }
            c.init(mode, k, new GCMParameterSpec(TAG_BITS, input, 0, IV));
            c.updateAAD(path.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(input, IV, input.length - IV);
        } catch (javax.crypto.AEADBadTagException e) {
            throw AttestationException.of(Reason.IO_ERROR, "stored secret for " + path + " does not open with this KEK (wrong KEK, or the row was changed)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is mandatory in every JDK", e);
        }
    }
}
