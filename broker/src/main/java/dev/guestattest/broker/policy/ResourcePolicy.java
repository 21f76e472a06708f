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
import java.util.TreeSet;

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
    /** The prefix of this policy's conditions named as checks. */
    public static final String CHECK = "resource_policy";
    public static final ResourcePolicy DEFAULT = parse("{\"rules\": [{\"path\": \"*/*/*\"}]}".getBytes(StandardCharsets.UTF_8));

    public ResourcePolicy {
        rules = List.copyOf(rules);
    }

    /** One rule: a path pattern of three parts, the TEEs (empty: any), the worst tier allowed, the workloads (empty: any). */
    public record Rule(String[] path, Set<String> tees, Tier worst, Set<Bytes> initialMeasurements, ClaimValues claims) {
        boolean covers(String[] p) {
            for (int i = 0; i < 3; i++) {
                if (!path[i].equals("*") && !path[i].equals(p[i])) {
                    return false;
                }
            }
            return true;
        }

        boolean allows(String[] p, Result r) {
            return covers(p) && unmet(r).isEmpty();
        }

        /** The conditions {@code r} does not meet, each by its field's name ({@code status}, ...) with why. */
        List<Map.Entry<String, String>> unmet(Result r) {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            if (!tees.isEmpty() && !tees.contains(r.tee())) {
                out.add(Map.entry("tees", "a " + r.tee() + " result; the rule admits " + new TreeSet<>(tees)));
            }
            if (r.status() == Tier.NONE || r.status().compareTo(worst) > 0) {
                out.add(Map.entry("status", "a " + r.status().earName() + " result; the rule admits " + worst.earName() + " at worst"));
            }
            if (!initialMeasurements.isEmpty() && r.initialMeasurement().filter(initialMeasurements::contains).isEmpty()) {
                out.add(Map.entry("initial_measurement", r.initialMeasurement().map(m -> "workload " + m.hex() + " is not one the rule lists")
                        .orElse("the evidence carries no initial measurement")));
            }
            if (!claims.isEmpty()) {
                if (r.claims().isEmpty()) {
                    out.add(Map.entry("claims", "the result has no token claims (attested by an older broker)"));
                } else {
                    new TreeSet<>(claims.values().keySet()).forEach(pointer -> claims.unmet(r.claims().get(), pointer)
                            .ifPresent(why -> out.add(Map.entry("claims", pointer + " " + why))));
                }
            }
            return out;
        }

        String pattern() {
            return String.join("/", path);
        }
    }

    /** A condition of the policy a result does not meet: its name as a check ({@code resource_policy.rules[0].status}) and why. */
    public record Unmet(String check, String why) {
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

    /**
     * Why {@code result} may not read {@code path}: for each rule covering the path, the conditions it
     * does not meet ({@code resource_policy.rules[i].status}, {@code .tees}, {@code .initial_measurement},
     * {@code .claims}); {@code resource_policy.path} when no rule covers it. Empty when it may.
     */
    public List<Unmet> unmet(String path, Result result) {
        String[] p = path.split("/", -1);
        List<Unmet> out = new ArrayList<>();
        boolean covered = false;
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (!r.covers(p)) {
                continue;
            }
            covered = true;
            List<Map.Entry<String, String>> unmet = r.unmet(result);
            if (unmet.isEmpty()) {
                return List.of();
            }
            for (Map.Entry<String, String> u : unmet) {
                out.add(new Unmet(CHECK + ".rules[" + i + "]." + u.getKey(), "rules[" + i + "] (" + r.pattern() + "): " + u.getValue()));
            }
        }
        if (!covered) {
            out.add(new Unmet(CHECK + ".path", "no rule covers " + path));
        }
        return out;
    }
}
