// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.verify.VerificationResult;
import java.time.Instant;
import java.util.Optional;

/** The verdict on one SNP report: every check with its reason, the product, and the guest's claims. */
public record SnpVerification(VerificationResult result, Optional<Product> product, Optional<SnpClaims> claims, Instant verifiedAt) {
    public boolean trusted() {
        return result.trusted();
    }
}
