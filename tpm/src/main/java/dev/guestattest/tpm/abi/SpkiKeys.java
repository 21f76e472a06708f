// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * An attestation key as a DER SubjectPublicKeyInfo, the form guest-components sends a TPM's AK in
 * (guest-components 8246e5e0 {@code attestation-agent/attester/src/tpm/utils.rs} {@code read_ak_public_key}:
 * RSA only) and Trustee's {@code trusted_ak} reference values hold it (trustee 78962cd4
 * {@code deps/verifier/src/tpm/README.md}).
 */
public final class SpkiKeys {
    /** An RSA-4096 SPKI is 550 bytes; anything far beyond is not a key. */
    private static final int MAX = 2048;

    private SpkiKeys() {
    }

    /** The RSA or EC key {@code der} holds, re-encoded to exactly {@code der} (no trailing bytes, DER only); else refused naming {@code field}. */
    public static PublicKey parse(String field, Bytes der) {
        if (der.length() > MAX) {
            throw AttestationException.tooLarge(field, der.length(), MAX);
        }
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                PublicKey k = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der.toArray()));
                if (!Arrays.equals(k.getEncoded(), der.toArray())) {
                    throw AttestationException.invalid(field, "is not the DER encoding of its key (it must re-encode to the same bytes)");
                }
                return k;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not this algorithm's key; try the next
            }
        }
        throw AttestationException.invalid(field, "is not a DER SubjectPublicKeyInfo of an RSA or EC key");
    }

    /** Whether two keys are the same key, whatever provider made them (compared by their SPKI encodings). */
    public static boolean same(PublicKey a, PublicKey b) {
        return Arrays.equals(a.getEncoded(), b.getEncoded());
    }
}
