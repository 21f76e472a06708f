// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.guestattest.broker.rcar.FastEc;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.SharedDocuments;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ear.EarVerifier;
import dev.guestattest.verify.ear.TrusteeEar;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The broker's tokens, issued and verified here alone: an EAR JWT laid out as Trustee's attestation
 * service issues it ({@link TrusteeEar}: {@code submods.cpu0}, the runtime data with the attested
 * TEE key under {@code ear.veraison.annotated-evidence.runtime_data_claims}, {@code iss}, {@code exp},
 * the key in the header as {@code jwk}), so that the token by itself authorizes a release wrapped to
 * that key; verified with {@link EarVerifier} (signature, profile, submods), then read for what a
 * release needs. Every instance on a store shares the key ({@link TokenKey}).
 */
final class Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TokenKey key;

    /**
     * The names of the appraisal's failed checks, in the token's submodule beside this project's other
     * claims (absent when none failed): what a warning result's later refusal names, whoever presents the token.
     */
    static final String FAILED_CHECKS = "ear.guestattest.failed-checks";

    /**
     * What a verified token attests: one TEE's appraisal, the key its releases are wrapped to, all its
     * claims (for resource rules), and the names of the appraisal's failed checks.
     */
    record Claims(String tee, Tier status, Optional<Bytes> initialMeasurement, TeeKey teeKey, JsonNode all, List<String> failedChecks) {
    }

    Tokens(SharedDocuments documents, Kek kek, long now) {
        this.key = TokenKey.shared(documents, kek, now);
    }

    ECPublicKey publicKey() {
        return key.publicKey();
    }

    /** A token for an accepted attestation of a {@code tee} guest whose runtime data was {@code runtimeData}, valid until {@code expires}. */
    String issue(Appraisal a, String tee, JsonNode runtimeData, Instant expires) {
        JWTClaimsSet claims = TrusteeEar.claims(a, tee, runtimeData, expires);
        List<String> failed = a.failures().stream().map(dev.guestattest.core.verify.Check::name).toList();
        if (!failed.isEmpty()) {
            Map<String, Object> submod = new LinkedHashMap<>(submod(claims));
            submod.put(FAILED_CHECKS, failed);
            claims = new JWTClaimsSet.Builder(claims).claim("submods", Map.of(TrusteeEar.SUBMOD, submod)).build();
        }
        return key.signer().signWithJwk(claims);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> submod(JWTClaimsSet claims) {
        try {
            return (Map<String, Object>) claims.getJSONObjectClaim("submods").get(TrusteeEar.SUBMOD);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("TrusteeEar lays out submods as an object", e);
        }
    }

    /** This broker's token key as a JWK Set, for relying parties that look keys up by {@code kid}. */
    String jwks() {
        return key.signer().jwks().orElseThrow().toString(true);
    }

    /** An appraisal's EAR, as {@code /appraise} answers it: it authorizes nothing here (no key, no expiry). */
    String sign(Appraisal a) {
        return key.signer().sign(a, Optional.empty());
    }

    /** The claims of a token this broker issued that is still valid at {@code now}; otherwise a refusal saying which it is not. */
    Claims verify(String token, long now) {
        JWTClaimsSet claims;
        try {
            // the broker checks a token on every release, by cookie or bearer: through Bouncy Castle, as it signs them (FastEc)
            claims = EarVerifier.verify(token, key.publicKey(), Optional.of(FastEc.PROVIDER));
        } catch (AttestationException e) {
            throw new BrokerException(Refusal.TOKEN_INVALID, "token refused: " + e.getMessage());
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.getTime() <= now) {
            throw new BrokerException(Refusal.TOKEN_EXPIRED, "token expired; attest again");
        }
        JsonNode all = JSON.valueToTree(claims.toJSONObject());
        JsonNode cpu = all.path("submods").path(TrusteeEar.SUBMOD);
        JsonNode jwk = cpu.path(TrusteeEar.ANNOTATED_EVIDENCE).path("runtime_data_claims").path("tee-pubkey");
        if (all.path("submods").size() != 1 || !cpu.path(TrusteeEar.TEE).isTextual() || !jwk.isObject()) {
            throw new BrokerException(Refusal.TOKEN_INVALID, "token is not one this broker issues");
        }
        JsonNode h = cpu.path("ear.guestattest.claims").path("initial_measurement");
        Optional<Bytes> measurement = h.isTextual() ? Optional.of(Bytes.fromHex("token initial_measurement", h.asText())) : Optional.empty();
        List<String> failed = new ArrayList<>();
        cpu.path(FAILED_CHECKS).forEach(n -> failed.add(n.asText()));
        return new Claims(cpu.get(TrusteeEar.TEE).asText(), tier(cpu.path("ear.status").asText()), measurement, TeeKey.parse(jwk), all, failed);
    }

    /** The tier an EAR status names; none for a name it does not know. */
    static Tier tier(String earName) {
        for (Tier t : Tier.values()) {
            if (t.earName().equals(earName)) {
                return t;
            }
        }
        return Tier.NONE;
    }
}
