// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.SupplementalChallenge;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the verifier, not the guest, brings to an appraisal: the trust anchors of the configuration
 * (roots, and aux parts such as the CCA CPAK), the reference values, and a session's verifier
 * secret (the verifier's half of a supplemental challenge, s390's request secret), sealed with the
 * KEK to its session while it waits in the store.
 */
final class EvidenceTrust {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BrokerConfig config;
    private final Kek kek;
    private final Appraiser appraiser;
    private final Policies policies;
    private final Tees tees;
    /** The formats the appraiser has verifiers for, read once. */
    private final java.util.Set<String> appraised;
    /** Aux parts any TEE declares as the verifier's own (trust anchors, verifier secrets): never taken from a guest. */
    private final java.util.Set<String> verifierParts;
    private final SecureRandom random = new SecureRandom();
    /** kbs-types TEEs (trustee 78962cd4, kbs-types 900aa8f {@code Tee}) for which no verifier exists here: refused by name at auth. */
    private static final Map<String, String> UNVERIFIED_TEES = Map.of("sgx", "Intel SGX", "csv", "Hygon CSV", "hygondcu", "Hygon DCU",
            "nvidia", "NVIDIA GPU", "nvidia-dpu", "NVIDIA DPU", "sampledevice", "a sample device");

    EvidenceTrust(BrokerConfig config, Kek kek, Tees tees, Appraiser appraiser, Policies policies) {
        this.config = config;
        this.tees = tees;
        this.appraised = java.util.Set.copyOf(appraiser.formats());
        this.verifierParts = tees.all().stream().flatMap(t -> t.verifierAux().stream()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.kek = kek;
        this.appraiser = appraiser;
        this.policies = policies;
    }

    /**
     * This broker's name for the TEE a guest names (Trustee's {@code se} is {@code s390}, as the TEE
     * declares); a TEE without a verifier here is refused.
     */
    String canonical(String name) {
        if (name.equals(SampleEvidence.TEE)) {
            if (!config.allowSample()) {
                throw new BrokerException(Refusal.UNKNOWN_TEE, "tee 'sample' is refused: nothing signs its evidence; a broker started with"
                        + " --allow-sample takes it, for testing a client");
            }
            return name;
        }
        String peerOnly = UNVERIFIED_TEES.get(name);
        if (peerOnly != null) {
            throw new BrokerException(Refusal.UNKNOWN_TEE, "tee '" + name + "' (" + peerOnly + ") is a kbs-types TEE this broker has no verifier for;"
                    + " it appraises " + new java.util.TreeSet<>(appraised));
        }
        return tees.find(name).map(Tee::name).filter(appraised::contains).orElseThrow(() -> new BrokerException(
                Refusal.UNKNOWN_TEE, "tee '" + name + "' is not one this broker appraises " + new java.util.TreeSet<>(appraised)));
    }

    private Optional<TrusteeEvidence> shape(String tee) {
        return tee.equals(SampleEvidence.TEE) ? Optional.of(new SampleEvidence()) : tees.find(tee).flatMap(Tee::trusteeEvidence);
    }

    /** How guest-components sends evidence of {@code tee}; refused when this broker reads it only in its own dialect. */
    TrusteeEvidence trusteeEvidence(String tee) {
        return shape(tee).orElseThrow(() -> new BrokerException(Refusal.BAD_REQUEST,
                "tee-evidence.primary_evidence: this broker reads " + tee + " evidence only as {\"evidence\": base64, \"aux\": {...}}"));
    }

    /** The verifier's part of a challenge for {@code tee}, when its TEE needs one; fails when the broker is not set up for it. */
    Optional<SupplementalChallenge> challenge(String tee) {
        return appraiser.challenge(tee, config.trustedAux().getOrDefault(tee, Map.of()), random);
    }

    /**
     * The evidence with the parts only the verifier may supply: trust anchors from the configuration
     * for {@code tee}, and the session's verifier secret. A caller sending such a part is refused,
     * whether it attests or asks for an appraisal (whose EAR this broker signs too).
     */
    Evidence trusted(Optional<String> tee, Evidence e, Map<String, Bytes> sessionParts) {
        for (String part : e.aux().keySet()) {
            if (verifierParts.contains(part)) {
                throw new BrokerException(Refusal.BAD_REQUEST, "tee-evidence.aux." + part
                        + " is a trust anchor; the broker's configuration supplies it, a guest may not");
            }
        }
        Map<String, Bytes> aux = new HashMap<>(e.aux());
        tee.ifPresent(t -> aux.putAll(config.trustedAux().getOrDefault(t, Map.of())));
        aux.putAll(sessionParts);
        return new Evidence(e.format(), e.bytes(), aux);
    }

    /** The appraisal context for evidence of {@code tee} (none: no extra roots) at {@code at}: its roots and the reference values. */
    AppraisalContext context(Policy policy, Optional<String> tee, Instant at) {
        List<java.security.cert.X509Certificate> roots = tee.map(t -> config.roots().getOrDefault(t, List.of())).orElse(List.of());
        return AppraisalContext.of(policy, at).withRoots(roots).withStore(policies.referenceValues());
    }

    /** The verifier's half of a supplemental challenge, sealed with the KEK to this session: {name: base64} JSON. */
    byte[] seal(String session, Map<String, Bytes> parts) {
        ObjectNode n = JSON.createObjectNode();
        parts.forEach((k, v) -> n.put(k, Base64.getEncoder().encodeToString(v.toArray())));
        byte[] plain = n.toString().getBytes(StandardCharsets.UTF_8);
        try {
            return kek.seal("session/" + session, plain).toBytes();
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    Map<String, Bytes> open(String session, byte[] stored) {
        byte[] plain = kek.open("session/" + session, Kek.Sealed.fromBytes("verifier secret", stored));
        try {
            JsonNode n = JSON.readTree(plain);
            Map<String, Bytes> parts = new HashMap<>();
            n.fields().forEachRemaining(e -> parts.put(e.getKey(), Bytes.of(Base64.getDecoder().decode(e.getValue().asText()))));
            return parts;
        } catch (IOException e) {
            throw new IllegalStateException("a sealed verifier secret is not the JSON this broker wrote", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Appraises {@code e} in {@code ctx}: the appraiser's own failures are the caller's to turn into refusals. */
    Appraisal appraise(Evidence e, AppraisalContext ctx) {
        if (e.format().filter(SampleEvidence.TEE::equals).isPresent()) {
            // whichever door it came through (an RCAR session, /appraise naming the format), only --allow-sample lets it in
            return appraiser.judge(canonical(SampleEvidence.TEE), e, SampleEvidence.verify(e), ctx);
        }
        return appraiser.appraise(e, ctx);
    }

    /** A challenge cannot be made: the broker lacks what {@code tee} needs (its host key, say). */
    static BrokerException notSetUp(String tee, AttestationException e) {
        return new BrokerException(Refusal.UNAVAILABLE, "this broker is not set up for " + tee + ": " + e.getMessage());
    }
}
