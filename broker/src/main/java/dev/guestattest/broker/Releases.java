// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.policy.ResourcePolicy;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.store.Resources;
import dev.guestattest.broker.store.Sessions;
import dev.guestattest.broker.wire.Protocol;
import dev.guestattest.core.codec.Bytes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * RCAR's third step, the release decision: who asks (an attested session, or a token from an
 * earlier attestation), whether the resource policy lets their result read the path, and the
 * secret wrapped to their attested TEE key. Every refusal and every release is audited.
 */
final class Releases {
    private final Rcar rcar;
    private final Tokens tokens;
    private final Policies policies;
    private final Resources resources;
    private final Auditor auditor;
    private final Clock clock;
    private final BrokerEvents events;

    /** Who is asking, once known: the session (if by cookie), the attested result, the key to wrap to, and its appraisal's failed checks. */
    private record Requester(Optional<String> session, ResourcePolicy.Result result, TeeKey key, List<String> failedChecks) {
    }

    Releases(Rcar rcar, Tokens tokens, Policies policies, Resources resources, Auditor auditor, Clock clock, BrokerEvents events) {
        this.rcar = rcar;
        this.tokens = tokens;
        this.policies = policies;
        this.resources = resources;
        this.auditor = auditor;
        this.clock = clock;
        this.events = events;
    }

    /** The secret at {@code repoTypeTag} as a flattened JWE wrapped to the attested TEE key; the metrics count each outcome. */
    String release(Broker.Credential who, String repoTypeTag, String client) {
        try {
            String jwe = decide(who, repoTypeTag, client);
            events.release("released");
            return jwe;
        } catch (BrokerException e) {
            switch (e.refusal()) {
                case POLICY_DENIED -> events.release("forbidden");
                case NOT_FOUND -> events.release("absent");
                case UNAUTHORIZED_SESSION, TOKEN_INVALID, TOKEN_EXPIRED -> events.release("unauthenticated");
                default -> {
                    // a bad path: no release was asked for
                }
            }
            throw e;
        }
    }

    private String decide(Broker.Credential who, String repoTypeTag, String client) {
        String path = Resources.path(repoTypeTag);
        AuditContext c = AuditContext.of("resource", client);
        Requester r = who.bearer().isPresent() ? byToken(who.bearer().get(), c.path(path)) : bySession(who.sessionId(), c, path);
        String tee = r.result().tee();
        List<ResourcePolicy.Unmet> unmet = policies.resources().unmet(path, r.result());
        if (!unmet.isEmpty()) {
            // named by the appraisal's failed checks (why the result is what it is) and the rule's unmet conditions
            List<String> checks = new ArrayList<>(r.failedChecks());
            unmet.forEach(u -> checks.add(u.check()));
            throw auditor.refuse(c.session(r.session()).tee(tee).path(path), BrokerException.failedChecks(Refusal.POLICY_DENIED, checks,
                    "the resource policy does not let a " + r.result().status().earName() + " " + tee + " result read " + path + " ("
                            + String.join("; ", unmet.stream().map(ResourcePolicy.Unmet::why).toList()) + ")"));
        }
        byte[] secret = resources.get(path).orElseThrow(() -> auditor.refuse(Refusal.NOT_FOUND, c.tee(tee).path(path), "no resource " + path));
        try {
            String jwe = r.key().wrap(secret);
            auditor.record(c.session(r.session()).tee(tee).path(path), "released", "wrapped with " + r.key().algorithm() + " to the attested TEE key");
            return jwe;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private Requester byToken(String bearer, AuditContext c) {
        Tokens.Claims t;
        try {
            t = tokens.verify(bearer, clock.millis());
        } catch (BrokerException e) {
            throw auditor.refuse(c, e);
        }
        return new Requester(Optional.empty(), result(t), t.teeKey(), t.failedChecks());
    }

    private static ResourcePolicy.Result result(Tokens.Claims t) {
        return new ResourcePolicy.Result(t.tee(), t.status(), t.initialMeasurement(), Optional.of(t.all()));
    }

    private Requester bySession(Optional<String> id, AuditContext c, String path) {
        Sessions.Session s = rcar.liveSession(id, c);
        if (s.state() != Sessions.State.ATTESTED) {
            throw auditor.refuse(Refusal.UNAUTHORIZED_SESSION, c.session(s.id()).tee(s.tee()).path(path),
                    "this session has not attested; POST " + Protocol.ATTEST + " first");
        }
        if (s.token().isPresent()) {
            // read again as a bearer token would be: the same claims decide, whichever way the guest asks
            Tokens.Claims t;
            try {
                t = tokens.verify(s.token().get(), clock.millis());
            } catch (BrokerException e) {
                throw auditor.refuse(c.session(s.id()).tee(s.tee()).path(path), e);
            }
            return new Requester(Optional.of(s.id()), result(t), t.teeKey(), t.failedChecks());
        }
        // attested by an older instance on this store, which kept no token
        ResourcePolicy.Result result = new ResourcePolicy.Result(s.tee(), Tokens.tier(s.status().orElse("")),
                s.measurement().map(h -> Bytes.fromHex("session measurement", h)), Optional.empty());
        return new Requester(Optional.of(s.id()), result, TeeKey.parse(s.teePubkey().orElseThrow()), List.of());
    }
}
