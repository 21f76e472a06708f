// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.store.Sessions;
import dev.guestattest.broker.wire.Attestation;
import dev.guestattest.broker.wire.TeeEvidence;
import dev.guestattest.broker.wire.Wire;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.freshness.RuntimeData;
import dev.guestattest.verify.initdata.InitData;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything of an attestation attempt but the store's completion: the runtime data must carry the
 * session's nonce, the evidence's report data must be the hash of that runtime data (binding the TEE
 * key to the evidence), and its appraisal must not be contraindicated. Refuses with plain
 * {@link BrokerException}s, which the caller audits as it spends the nonce.
 */
final class Verdicts {
    private final BrokerConfig config;
    private final EvidenceTrust trust;
    private final Policies policies;
    private final Tokens tokens;
    private final BrokerEvents events;

    /** The broker's own checks of an attempt, beside the appraisal's: named as they are in a refusal and the audit. */
    static final String NONCE = "rcar.nonce";
    static final String TEE = "rcar.tee";
    static final String REPLAY = "rcar.replay";

    /** What an appraised attempt records once the store completes it; {@code failedChecks}: why a warning is one. */
    record Verdict(String token, String evidenceDigest, String teePubkey, Tier status, Optional<String> measurement, long at, long expiresAt,
                   String detail, List<String> failedChecks) {
    }

    Verdicts(BrokerConfig config, EvidenceTrust trust, Policies policies, Tokens tokens, BrokerEvents events) {
        this.config = config;
        this.trust = trust;
        this.policies = policies;
        this.tokens = tokens;
        this.events = events;
    }

    Verdict of(Sessions.Session s, byte[] body, long now) {
        Attestation req = Attestation.fromJson(Wire.object(body, "attestation"));
        String nonce = req.runtimeData().nonce();
        if (!MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), s.nonce().getBytes(StandardCharsets.UTF_8))) {
            throw BrokerException.failedChecks(Refusal.ATTESTATION_FAILED, List.of(NONCE),
                    "runtime-data.nonce is not this session's nonce (a replayed or foreign answer)");
        }
        TeeKey teeKey = TeeKey.parse(req.runtimeData().teePubkey());
        String additional = req.teeEvidence().additional().orElse("");
        AdditionalEvidence.refuseUnverifiable(additional);
        Optional<TeeEvidence> own = req.teeEvidence().own();
        // this project's own guests bind {nonce, tee-pubkey}; with additional_evidence, the guest-components rule
        boolean legacy = own.isPresent() && req.teeEvidence().additional().isEmpty();
        Evidence sent;
        Bytes reportData;
        if (own.isPresent()) {
            sent = own.get().toEvidence(Optional.of(s.tee()));
            reportData = legacy ? RuntimeData.legacyReportData(nonce, req.runtimeData().teePubkey(), config.runtimeDataHash())
                    : RuntimeData.reportData(nonce, req.runtimeData().teePubkey(), additional, config.runtimeDataHash());
        } else {
            TrusteeEvidence shape = trust.trusteeEvidence(s.tee());
            sent = shape.read(req.teeEvidence().primary());
            reportData = shape.reportData(RuntimeData.digest(nonce, req.runtimeData().teePubkey(), additional, config.runtimeDataHash()));
        }
        Map<String, Bytes> secret = s.verifierSecret().map(sealed -> trust.open(s.id(), sealed)).orElse(Map.of());
        Evidence evidence = trust.trusted(Optional.of(s.tee()), sent, secret);
        AppraisalContext ctx = trust.context(policies.attestation(" (guest-attest broker policy set)"), Optional.of(s.tee()), Instant.ofEpochMilli(now))
                .withReportData(reportData);
        if (req.initData().isPresent()) {
            ctx = ctx.withInitData(InitData.parse(req.initData().get().format(), req.initData().get().body()));
        }
        Appraisal a = trust.appraise(evidence, ctx);
        events.appraised(s.tee(), a.status());
        if (!a.format().equals(s.tee())) {
            throw BrokerException.failedChecks(Refusal.ATTESTATION_FAILED, List.of(TEE), "the evidence is " + a.format()
                    + ", the session was opened for " + s.tee());
        }
        List<String> failed = a.failures().stream().map(Check::name).toList();
        if (a.status() == Tier.CONTRAINDICATED || a.status() == Tier.NONE) {
            throw BrokerException.failedChecks(Refusal.ATTESTATION_FAILED, failed, a.status().earName() + " result ("
                    + String.join("; ", a.failures().stream().map(c -> c.name() + ": " + c.detail()).toList()) + ")");
        }
        Instant exp = Instant.ofEpochMilli(now).plus(config.tokenLifetime());
        return new Verdict(tokens.issue(a, s.tee(), runtimeClaims(req, legacy), exp), Bytes.of(HashAlgorithm.SHA256.hash(evidence.bytes().toArray())).hex(),
                teeKey.json(),
                a.status(), a.claims().flatMap(c -> c.initialMeasurement()).map(Bytes::hex), now, exp.toEpochMilli(),
                "policy " + a.policyId() + ", vector " + a.trustVector().values(), failed);
    }

    /** The runtime data as the guest hashed it: Trustee's {@code runtime_data_claims} (this project's older guests bound no additional-evidence). */
    private static ObjectNode runtimeClaims(Attestation req, boolean legacy) {
        ObjectNode n = Wire.object();
        if (!legacy) {
            n.put("additional-evidence", req.teeEvidence().additional().orElse(""));
        }
        n.put("nonce", req.runtimeData().nonce());
        n.set("tee-pubkey", req.runtimeData().teePubkey());
        return n;
    }
}
