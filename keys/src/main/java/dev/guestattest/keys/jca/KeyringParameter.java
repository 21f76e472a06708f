// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.jca;

import dev.guestattest.keys.ring.Keyring;
import java.security.KeyStore;

/** Loads a GuestAttest key store as a view of {@code keyring}: {@code ks.load(new KeyringParameter(ring))}. */
public record KeyringParameter(Keyring keyring) implements KeyStore.LoadStoreParameter {
    public KeyringParameter {
        java.util.Objects.requireNonNull(keyring, "keyring");
    }

    @Override
    public KeyStore.ProtectionParameter getProtectionParameter() {
        return null; // the keyring's own permissions protect its keys; there is no password
    }
}
