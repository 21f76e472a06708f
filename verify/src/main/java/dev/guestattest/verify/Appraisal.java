package dev.guestattest.verify;

import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one answer for any TEE: the status and trust vector, every check made (the vendor verifier's,
 * then the policy's, each requirement by name), the common claims, the vendor's own claims, and
 * which policy (id and SHA-256) decided.
 */
public record Appraisal(String format, Tier status, TrustVector trustVector, List<Check> checks, Optional<CommonClaims> claims,
                        Map<String, Object> vendorClaims, String policyId, String policySha256, Instant appraisedAt) {
    public Appraisal {
        checks = List.copyOf(checks);
        vendorClaims = Map.copyOf(vendorClaims);
    }

    public boolean affirming() {
        return status == Tier.AFFIRMING;
    }

    public Optional<Check> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }
}
