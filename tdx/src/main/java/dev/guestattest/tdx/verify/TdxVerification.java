// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.verify.VerificationResult;
import java.time.Instant;
import java.util.Optional;

/**
 * The verdict on one TDX quote: every check with its reason, the TD's claims (when the quote
 * parsed), the TCB evaluation (when the collateral allowed one), and the collateral's dates.
 */
public record TdxVerification(VerificationResult result, Optional<TdClaims> claims, Optional<TcbEvaluation> tcb,
                              Optional<Dates> collateral, Instant verifiedAt) {
    /** When the collateral used was issued and when it must be replaced. */
    public record Dates(Instant tcbInfoIssued, Instant tcbInfoNextUpdate, Instant qeIdentityIssued, Instant qeIdentityNextUpdate) {
    }

    public boolean trusted() {
        return result.trusted();
    }
}
