// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.Secret;
import java.time.Duration;

/**
 * Derived key material into the kernel as {@code logon} keys: the kernel and its users (dm-crypt,
 * cifs) can use them, userspace can never read them back. They land through {@link StagedKeys}, so
 * they arrive configured in any session mode, or not at all.
 */
public final class LogonKeys {
    public static final String TYPE = "logon";

    private LogonKeys() {
    }

    /**
     * Adds (or, for an existing description in {@code keyring}, replaces) a logon key; returns its
     * serial. {@code expiry} zero means none.
     */
    public static int add(String description, Secret secret, int keyring, KeyPermissions permissions, Duration expiry) {
        vet(description);
        if (secret.length() < 1 || secret.length() > KernelKeys.MAX_USER_PAYLOAD) {
            throw AttestationException.invalid("secret", secret.length() + " bytes is outside 1.." + KernelKeys.MAX_USER_PAYLOAD);
        }
        return StagedKeys.add(TYPE, description, secret, keyring, permissions, expiry);
    }

    /** The kernel's rule for logon descriptions: {@code <subclass>:<rest>} with a non-empty subclass. */
    public static void vet(String description) {
        int colon = description.indexOf(':');
        if (colon <= 0) {
            throw AttestationException.invalid("description", "'" + description
                    + "' is not <subclass>:<name> (logon keys need a service prefix, e.g. cryptsetup:root)");
        }
    }
}
