// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.jca;

import java.security.Provider;

/**
 * The JCA provider: {@code KeyStore.getInstance("GuestAttest", new GuestAttestProvider())}, or
 * after {@code Security.addProvider}, by name alone. The key store is a live view of a
 * {@link dev.guestattest.keys.ring.Keyring}.
 */
public final class GuestAttestProvider extends Provider {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "GuestAttest";
    public static final String KEYSTORE_TYPE = "GuestAttest";

    public GuestAttestProvider() {
        super(NAME, "0.1", "GuestAttest: attestation evidence and attested secrets as a KeyStore");
        putService(new Service(this, "KeyStore", KEYSTORE_TYPE, KeyringKeyStore.class.getName(), null, null));
    }
}
