// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.Secret;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.HexFormat;

/** The 16-byte identifier the kernel derives from an fscrypt v2 master key and a v2 policy names. */
public record KeyIdentifier(byte[] bytes) {
    public static final int SIZE = 16;

    public KeyIdentifier {
        if (bytes.length != SIZE) {
            throw AttestationException.invalid("key identifier", bytes.length + " bytes, expected " + SIZE);
        }
        bytes = bytes.clone();
    }

    /**
     * The identifier the kernel derives for a master key (fs/crypto: HKDF-SHA512 with no salt, info
     * {@code "fscrypt\0"} and context 1), so that a wrong key is refused before it reaches a filesystem.
     */
    public static KeyIdentifier of(Secret key) {
        return key.apply(raw -> {
            try {
                Mac hmac = Mac.getInstance("HmacSHA512");
                hmac.init(new SecretKeySpec(new byte[64], "HmacSHA512"));
                byte[] prk = hmac.doFinal(raw); // HKDF-Extract
                try {
                    hmac.init(new SecretKeySpec(prk, "HmacSHA512"));
                    byte[] t1 = hmac.doFinal(new byte[] {'f', 's', 'c', 'r', 'y', 'p', 't', 0, 1, 1}); // HKDF-Expand, block 1
                    return new KeyIdentifier(Arrays.copyOf(t1, SIZE));
                } finally {
                    Arrays.fill(prk, (byte) 0);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks HmacSHA512", e);
            }
        });
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyIdentifier k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
