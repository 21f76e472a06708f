// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import java.util.Map;
import java.util.Optional;

/**
 * What a vendor verifier found: every check it made, the common claims once the evidence was
 * readable, the TCB status in the vendor's words where the vendor has one (TDX), and the vendor's
 * own claims for the vendor namespace of a result.
 */
public record VendorVerification(VerificationResult result, Optional<CommonClaims> claims, Optional<String> tcbStatus,
                                 Map<String, Object> vendorClaims) {
    public VendorVerification {
        vendorClaims = Map.copyOf(vendorClaims);
    }

    /** Evidence that could not even be checked (missing or unreadable parts): one failed check, no claims. */
    public static VendorVerification failed(Check check) {
        return new VendorVerification(new VerificationResult(java.util.List.of(check)), Optional.empty(), Optional.empty(), Map.of());
    }
}
