// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.crypto;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The signature checks that are not ECDSA ({@link EcdsaKey} is): RSASSA-PKCS1-v1_5 (TPM AKs, the
 * Azure HCL AK) and Ed25519 (COSE EdDSA). One place, so that every verifier treats a key of the
 * wrong type or a malformed signature the same way: as a signature that does not verify.
 */
public final class Signatures {
    private Signatures() {
    }

    /** RSASSA-PKCS1-v1_5 with SHA-256. */
    public static boolean rsaPkcs1Sha256(PublicKey key, byte[] message, byte[] signature) {
        return jdk("SHA256withRSA", key, message, signature);
    }

    public static boolean ed25519(PublicKey key, byte[] message, byte[] signature) {
        return jdk("Ed25519", key, message, signature);
    }

    private static boolean jdk(String algorithm, PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
