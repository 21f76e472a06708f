// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.wire.TeeEvidence;
import dev.guestattest.broker.wire.Wire;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /appraise}, usable on its own: {@code {"evidence": base64, "format"?: name, "aux"?:
 * {name: base64}, "report_data"?: hex}} appraised against the attestation policy; answers the
 * appraisal and its EAR JWT. Nothing is released and no session is needed; it is rate-limited per
 * client, as it is unauthenticated and each appraisal is audited.
 */
final class Appraisals {
    private final EvidenceTrust trust;
    private final Policies policies;
    private final Tokens tokens;
    private final Auditor auditor;
    private final Clock clock;
    private final BrokerConfig config;
    private final RateLimiter limit;

    Appraisals(EvidenceTrust trust, Policies policies, Tokens tokens, Auditor auditor, Clock clock, BrokerConfig config) {
        this.trust = trust;
        this.policies = policies;
        this.tokens = tokens;
        this.auditor = auditor;
        this.clock = clock;
        this.config = config;
        this.limit = new RateLimiter(config.appraisePerClientPerSecond(), config.trackedClients());
    }

    ObjectNode appraise(byte[] body, String client) {
        AuditContext c = AuditContext.of("appraise", client);
        if (!limit.tryAcquire(ClientAddress.group(client), System.nanoTime())) {
            throw auditor.tooMany(c, "more than " + config.appraisePerClientPerSecond() + " appraisals per second from this client; retry later");
        }
        Appraisal a;
        ObjectNode out;
        try {
            JsonNode req = Wire.object(body, "appraisal request");
            Optional<String> format = Optional.ofNullable(req.get("format")).map(JsonNode::asText);
            Evidence e = trust.trusted(format, TeeEvidence.fromObject(req).toEvidence(format), Map.of());
            AppraisalContext ctx = trust.context(policies.attestation(""), format, clock.instant());
            if (req.hasNonNull("report_data")) {
                ctx = ctx.withReportData(Bytes.fromHex("report_data", req.get("report_data").asText()));
            }
            a = trust.appraise(e, ctx);
            out = a.toJson();
            out.put("ear", tokens.sign(a));
        } catch (RuntimeException | StackOverflowError e) {
            throw auditor.refuse(c, Auditor.refusal("evidence", e));
        }
        auditor.record(c.tee(a.format()), a.status().earName(), "policy " + a.policyId(),
                a.failures().stream().map(dev.guestattest.core.verify.Check::name).toList());
        return out;
    }
}
