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
}
