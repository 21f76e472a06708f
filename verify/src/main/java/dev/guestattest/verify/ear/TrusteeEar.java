// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.ear;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.guestattest.verify.Appraisal;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An appraisal as an attestation token laid out as Trustee's attestation service issues it (trustee
 * 78962cd4 {@code attestation-service/src/ear_token/broker.rs}, {@code transform_claims}), so that
 * Trustee's resource policies and relying parties find every claim where they look:
 * <pre>
 * {"eat_profile": "tag:github.com,2024:confidential-containers/Trustee", "iat", "exp", "iss",
 *  "ear.verifier-id": {"developer", "build"},
 *  "submods": {"cpu0": {"ear.status", "ear.trustworthiness-vector", "ear.appraisal-policy-id",
 *    "ear.veraison.annotated-evidence": {"&lt;tee&gt;": {vendor claims}, "report_data": hex,
 *      "runtime_data_claims": {"additional-evidence"?, "nonce", "tee-pubkey"}, "init_data": hex,
 *      "init_data_claims": {...} | null}}}}
 * </pre>
 * This project's own claims ride along under {@code ear.guestattest.*} in the submodule (the
 * common claims and the policy's SHA-256). The header carries the key as {@code jwk}
 * ({@link EarSigner#signWithJwk}).
 */
public final class TrusteeEar {
    public static final String PROFILE = "tag:github.com,2024:confidential-containers/Trustee";
    /** Trustee names the CPU TEE's submodule by class and index; device evidence would be gpu0... */
    public static final String SUBMOD = "cpu0";
    public static final String ANNOTATED_EVIDENCE = "ear.veraison.annotated-evidence";
    public static final String ISSUER = "guest-attest-broker";
    /** The TEE by name, beside Trustee's claims (which name it only as a key of the annotated evidence). */
    public static final String TEE = "ear.guestattest.tee";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrusteeEar() {
    }

    /**
     * The token's claims for appraisal {@code a} of a {@code tee} guest (its kbs-types name), whose
     * runtime data was {@code runtimeData} (the JSON the guest hashed), valid until {@code expires}.
     */
    public static JWTClaimsSet claims(Appraisal a, String tee, JsonNode runtimeData, Instant expires) {
        Map<String, Object> annotated = new LinkedHashMap<>();
        annotated.put(tee, JSON.convertValue(a.vendorClaims(), Map.class));
        a.claims().ifPresent(c -> {
            annotated.put("report_data", c.reportData().hex());
            c.initDataField().ifPresent(f -> annotated.put("init_data", f.value().hex()));
        });
        annotated.put("runtime_data_claims", JSON.convertValue(runtimeData, Map.class));
        annotated.put("init_data_claims", a.initData().map(d -> JSON.convertValue(d.claims(), Map.class)).orElse(null));
        Map<String, Object> submod = new LinkedHashMap<>();
        submod.put("ear.status", a.status().earName());
        submod.put("ear.trustworthiness-vector", new LinkedHashMap<>(a.trustVector().values()));
        submod.put("ear.appraisal-policy-id", a.policyId());
        submod.put(ANNOTATED_EVIDENCE, annotated);
        submod.put(TEE, tee);
        submod.put("ear.guestattest.policy-sha256", a.policySha256());
        a.claims().ifPresent(c -> submod.put("ear.guestattest.claims", c.toMap()));
        return new JWTClaimsSet.Builder().claim("eat_profile", PROFILE).issueTime(Date.from(a.appraisedAt()))
                .claim("ear.verifier-id", Map.of("developer", "dev.guestattest", "build", "guestattest-broker"))
                .claim("submods", Map.of(SUBMOD, submod)).expirationTime(Date.from(expires)).issuer(ISSUER).build();
    }
}
