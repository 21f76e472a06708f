// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.initdata.InitData;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one answer for any TEE: the status and trust vector, every check made (the vendor verifier's,
 * then the policy's, each requirement by name), the common claims, the vendor's own claims,
 * which policy (id and SHA-256) decided, and the init-data the evidence was found to carry.
 */
public record Appraisal(String format, Tier status, TrustVector trustVector, List<Check> checks, Optional<CommonClaims> claims,
                        Map<String, Object> vendorClaims, String policyId, String policySha256, Instant appraisedAt, Optional<InitData> initData) {
    public Appraisal {
        java.util.Objects.requireNonNull(initData, "initData");
        checks = List.copyOf(checks);
        vendorClaims = Map.copyOf(vendorClaims);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Check c : checks) {
            if (!names.add(c.name())) {
                // two verdicts on one rule could disagree, and a reader asking for it would get the first
                throw new IllegalStateException("two verdicts for check " + c.name());
            }
        }
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

    /** The appraisal as JSON: status, trust vector, every check, the common claims and the vendor's under the format's name. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode n = m.createObjectNode();
        n.put("format", format).put("status", status.earName()).put("policy_id", policyId).put("policy_sha256", policySha256)
                .put("appraised_at", appraisedAt.toString());
        com.fasterxml.jackson.databind.node.ObjectNode tv = n.putObject("trust_vector");
        trustVector.values().forEach(tv::put);
        com.fasterxml.jackson.databind.node.ArrayNode list = n.putArray("checks");
        for (Check c : checks) {
            list.addObject().put("name", c.name()).put("passed", c.passed()).put("detail", c.detail());
        }
        claims.ifPresent(c -> n.set("common", m.valueToTree(c.toMap())));
        n.set(format, m.valueToTree(vendorClaims));
        initData.ifPresent(d -> n.set("init_data_claims", d.claims()));
        return n;
    }
}
