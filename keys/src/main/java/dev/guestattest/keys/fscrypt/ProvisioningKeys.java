// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.Secret;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@code fscrypt-provisioning} keys: a master key in the kernel keyring that only a filesystem can
 * use ({@code FS_IOC_ADD_ENCRYPTION_KEY} by serial); userspace cannot read it back. The payload is
 * {@code struct fscrypt_provisioning_key_payload {u32 type; u32 reserved; u8 raw[]}}.
 */
public final class ProvisioningKeys {
    public static final String TYPE = "fscrypt-provisioning";
    /** A master key for AES-256-XTS contents must be at least 64 bytes, and fscrypt takes at most 64. */
    public static final int KEY_SIZE = 64;
    /** FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER: the key unlocks v2 policies. */
    static final int SPEC_IDENTIFIER = 2;
    private static final int HEADER = 8;

    private ProvisioningKeys() {
    }

    /** The payload for a v2 master key; the raw key must be exactly {@link #KEY_SIZE} bytes. */
    public static Secret payload(Secret raw) {
        requireSize(raw);
        return raw.apply(bytes -> {
            byte[] p = new byte[HEADER + bytes.length];
            ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).putInt(SPEC_IDENTIFIER).putInt(0);
            System.arraycopy(bytes, 0, p, HEADER, bytes.length);
            try {
                return Secret.copyOf(p);
            } finally {
                Arrays.fill(p, (byte) 0);
            }
        });
    }

    public static void requireSize(Secret raw) {
        if (raw.length() != KEY_SIZE) {
            throw AttestationException.invalid("fscrypt key", raw.length() + " bytes; an fscrypt master key for AES-256-XTS is exactly "
                    + KEY_SIZE + " bytes (e.g. head -c 64 /dev/urandom)");
        }
    }
}
