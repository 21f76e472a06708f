// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

import dev.guestattest.core.AttestationException;
import java.util.Arrays;

/**
 * An fscrypt v2 policy ({@code struct fscrypt_policy_v2}, 24 bytes): how a directory tree's
 * contents and names are encrypted and which master key, by identifier, unlocks it.
 */
public record EncryptionPolicy(int contentsMode, int filenamesMode, int flags, KeyIdentifier key) {
    public static final int VERSION = 2;
    public static final int SIZE = 24;
    /** FSCRYPT_MODE_AES_256_XTS, the kernel documentation's default for contents. */
    public static final int AES_256_XTS = 1;
    /** FSCRYPT_MODE_AES_256_CTS, its default for names. */
    public static final int AES_256_CTS = 4;
    /** FSCRYPT_POLICY_FLAGS_PAD_32: names padded to 32 bytes, leaking less of their length. */
    public static final int PAD_32 = 0x03;

    /** AES-256-XTS contents, AES-256-CTS names padded to 32 bytes: what the fscrypt tool sets by default. */
    public static EncryptionPolicy defaults(KeyIdentifier key) {
        return new EncryptionPolicy(AES_256_XTS, AES_256_CTS, PAD_32, key);
    }

    public byte[] toBytes() {
        byte[] b = new byte[SIZE];
        b[0] = VERSION;
        b[1] = (byte) contentsMode;
        b[2] = (byte) filenamesMode;
        b[3] = (byte) flags;
        System.arraycopy(key.bytes(), 0, b, 8, KeyIdentifier.SIZE);
        return b;
    }

    /** The policy the kernel returned; any version but 2 is refused by name. */
    public static EncryptionPolicy parse(byte[] b) {
        if (b.length < 1) {
            throw AttestationException.invalid("fscrypt policy", "is empty");
        }
        if (b[0] != VERSION) {
            throw AttestationException.of(dev.guestattest.core.Reason.UNSUPPORTED, "the directory has a "
                    + (b[0] == 0 ? "v1 fscrypt policy (deprecated)" : "fscrypt policy of version " + (b[0] & 0xff)) + "; only v2 policies are handled");
        }
        if (b.length != SIZE) {
            throw AttestationException.invalid("fscrypt policy", b.length + " bytes, a v2 policy has " + SIZE);
        }
        return new EncryptionPolicy(b[1] & 0xff, b[2] & 0xff, b[3] & 0xff, new KeyIdentifier(Arrays.copyOfRange(b, 8, SIZE)));
    }
}
