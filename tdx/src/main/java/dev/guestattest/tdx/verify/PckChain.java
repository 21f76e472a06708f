// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import java.util.Optional;
import dev.guestattest.core.crypto.EcdsaKey;

/**
 * A quote's PCK chain once parsed and checked against the trust anchors: the PCK key ready for
 * ECDSA, the platform facts from its SGX extension, or the reason the chain cannot be used.
 */
record PckChain(Optional<CertChain> chain, Optional<PckExtensions> extensions, Optional<EcdsaKey> key, String problem) {
    static PckChain of(String pem, TrustAnchors anchors) {
        CertChain chain;
        try {
            chain = CertChain.parsePem("PCK certificate chain", pem);
        } catch (AttestationException e) {
            return new PckChain(Optional.empty(), Optional.empty(), Optional.empty(), e.getMessage());
        }
        Optional<String> problem = chain.pathProblem(anchors);
        if (problem.isPresent()) {
            return new PckChain(Optional.of(chain), Optional.empty(), Optional.empty(), problem.get());
        }
        try {
            return new PckChain(Optional.of(chain), Optional.of(PckExtensions.of(chain.leaf())),
                    Optional.of(EcdsaKey.of(EcdsaKey.Curve.P256, "PCK certificate key", chain.leaf().getPublicKey())), "");
        } catch (AttestationException e) {
            return new PckChain(Optional.of(chain), Optional.empty(), Optional.empty(), e.getMessage());
        }
    }

    boolean usable() {
        return problem.isEmpty();
    }
}
