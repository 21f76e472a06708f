// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.examples;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.keys.Attester;
import dev.guestattest.keys.jca.GuestAttestProvider;
import dev.guestattest.keys.jca.KeyringParameter;
import dev.guestattest.keys.ring.JavaKeyring;
import dev.guestattest.keys.ring.Key;
import dev.guestattest.keys.ring.KeyTypes;
import dev.guestattest.keys.ring.Keyring;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Security;
import java.util.Optional;
import javax.crypto.SecretKey;

/** docs/keys.md: evidence as a KeyStore entry; registering the provider is all a user does. */
public final class KeyStoreExample {
    private KeyStoreExample() {
    }

    public static SecretKey evidence(ProviderContext context, String base64Nonce) throws GeneralSecurityException, java.io.IOException {
        Security.addProvider(new GuestAttestProvider());
        JavaKeyring keys = JavaKeyring.builder()
                .type(KeyTypes.guestAttest(Attester.provider(Optional.of("tdx/emulated"), context)))
                .build();
        Keyring ring = keys.newKeyring("app");
        Key evidence = ring.request("guest_attest", "guest_attest:0:7", base64Nonce); // one provider call, however many ask
        KeyStore ks = KeyStore.getInstance("GuestAttest");
        ks.load(new KeyringParameter(ring));
        SecretKey quote = (SecretKey) ks.getKey("guest_attest:guest_attest:0:7", null); // aliases are <type>:<description>
        return quote;
    }
}
