// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import dev.guestattest.core.codec.Bytes;
import java.util.Map;

/**
 * What a verifier must hand the attester before evidence can be made, as Trustee's verifiers'
 * {@code generate_supplemental_challenge} does: IBM Secure Execution's attestation request (ARCB),
 * sealed to the host keys, is made by the verifier, which alone keeps its measurement key.
 * {@code forAttester} goes to the guest (RCAR's challenge extra-params, text values);
 * {@code forVerifier} are the aux parts the verification will need and the verifier must keep secret.
 */
public record SupplementalChallenge(Map<String, String> forAttester, Map<String, Bytes> forVerifier) {
    public SupplementalChallenge {
        forAttester = Map.copyOf(forAttester);
        forVerifier = Map.copyOf(forVerifier);
    }

    @Override
    public String toString() {
        return "SupplementalChallenge[for the attester " + forAttester.keySet() + ", kept by the verifier " + forVerifier.keySet() + "]";
    }
}
