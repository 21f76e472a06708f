// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.policy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.policy.ClaimValues;
import dev.guestattest.verify.policy.Documents;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/**
 * Which appraisal results may read which resources, in JSON or YAML:
 * <pre>
 * rules:
 *   - path: "prod/disk/*"      # REPOSITORY/TYPE/TAG, '*' matches one whole part
 *     tees: [tdx, snp]          # optional: any TEE
 *     status: affirming         # the worst status still allowed: affirming (default) or warning
 *     initial_measurement: [..] # optional: only these workloads (hex, any of)
 *     claims:                   # optional: token claims by JSON pointer, compared as text, as a
 *       "/submods/cpu0/ear.veraison.annotated-evidence/init_data_claims/aa.toml/token_configs/kbs/url": "..."
 * </pre>
 * The {@code claims} pointers address the attestation token as Trustee lays it out
 * ({@link dev.guestattest.verify.ear.TrusteeEar}), so a Trustee resource policy's condition on
 * {@code input.submods.cpu0["ear.veraison.annotated-evidence"]...} is written here as the same path.
 * A request is allowed when any rule matches; none matching is a refusal. The default policy lets
 * affirming results read every path; a warning never reads anything unless a rule says so.
 */
public record ResourcePolicy(List<Rule> rules) {
    private static final Set<String> STATUSES = Set.of("affirming", "warning");
    public static final ResourcePolicy DEFAULT = parse("{\"rules\": [{\"path\": \"*/*/*\"}]}".getBytes(StandardCharsets.UTF_8));

    public ResourcePolicy {
        rules = List.copyOf(rules);
    }

    /** One rule: a path pattern of three parts, the TEEs (empty: any), the worst tier allowed, the workloads (empty: any). */
    public record Rule(String[] path, Set<String> tees, Tier worst, Set<Bytes> initialMeasurements, ClaimValues claims) {
        boolean allows(String[] p, Result r) {
            for (int i = 0; i < 3; i++) {
                if (!path[i].equals("*") && !path[i].equals(p[i])) {
                    return false;
                }
            }
            return (tees.isEmpty() || tees.contains(r.tee())) && r.status() != Tier.NONE && r.status().compareTo(worst) <= 0
                    && (initialMeasurements.isEmpty() || r.initialMeasurement().filter(initialMeasurements::contains).isPresent())
                    && (claims.isEmpty() || r.claims().filter(claims::metBy).isPresent());
        }
    }

    /**
     * What the rules judge: the attested TEE, the appraisal's status, the workload's initial
     * measurement when the evidence has one, and the token's claims (none for a session attested by
     * an older broker, which kept no token: rules on claims then do not match).
     */
    public record Result(String tee, Tier status, Optional<Bytes> initialMeasurement, Optional<JsonNode> claims) {
    }

    private record File(List<RuleFile> rules) {
    }

    private record RuleFile(String path, List<String> tees, String status, List<String> initialMeasurement, Map<String, String> claims) {
    }

    public static ResourcePolicy parse(byte[] document) {
        File f = Documents.read(document, File.class, "resource policy");
        if (f.rules() == null || f.rules().isEmpty()) {
            throw AttestationException.invalid("resource policy: rules", "lists no rule (nothing could ever be released)");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < f.rules().size(); i++) {
            RuleFile r = f.rules().get(i);
            String field = "resource policy: rules[" + i + "]";
            if (r == null || r.path() == null || r.path().split("/", -1).length != 3) {
                throw AttestationException.invalid(field + ".path", "must be REPOSITORY/TYPE/TAG, each part a name or '*'");
            }
            String status = Optional.ofNullable(r.status()).orElse("affirming");
            if (!STATUSES.contains(status)) {
                throw AttestationException.invalid(field + ".status", "'" + status + "' is not affirming or warning");
            }
            Set<Bytes> measurements = new java.util.HashSet<>();
            for (String h : Optional.ofNullable(r.initialMeasurement()).orElse(List.of())) {
                measurements.add(Bytes.fromHex(field + ".initial_measurement", h));
            }
            rules.add(new Rule(r.path().split("/", -1), Set.copyOf(Optional.ofNullable(r.tees()).orElse(List.of())),
                    status.equals("warning") ? Tier.WARNING : Tier.AFFIRMING, measurements, ClaimValues.parse(field + ".claims", r.claims())));
        }
        return new ResourcePolicy(rules);
    }

    public boolean allows(String path, Result result) {
        String[] p = path.split("/", -1);
        return rules.stream().anyMatch(r -> r.allows(p, result));
    }
}
