// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.store.Audit;
import dev.guestattest.broker.store.Sessions;
import dev.guestattest.broker.wire.Challenge;
import dev.guestattest.broker.wire.Protocol;
import dev.guestattest.broker.wire.Request;
import dev.guestattest.broker.wire.Wire;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.verify.SupplementalChallenge;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * RCAR's first two steps over the shared store: auth opens a session with a fresh nonce, attest
 * spends it on one appraisal and answers the token. The session's nonce is spent and the attempt
 * audited whatever the outcome, whatever fails, in the same commit ({@link Sessions}).
 */
final class Rcar {
    private static final System.Logger LOG = System.getLogger("dev.guestattest.broker");
    private final Sessions sessions;
    private final Audit audit;
    private final Auditor auditor;
    private final EvidenceTrust trust;
    private final Verdicts verdicts;
    private final BrokerConfig config;
    private final Clock clock;
    private final BrokerEvents events;
    private final RateLimiter authLimit;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong lastPurge = new AtomicLong();
    /** Sessions with an attempt under way on this instance. */
    private final Set<String> attempts = ConcurrentHashMap.newKeySet();

    Rcar(Sessions sessions, Audit audit, Auditor auditor, EvidenceTrust trust, Verdicts verdicts, BrokerConfig config, Clock clock,
         BrokerEvents events) {
        this.sessions = sessions;
        this.audit = audit;
        this.auditor = auditor;
        this.trust = trust;
        this.verdicts = verdicts;
        this.config = config;
        this.clock = clock;
        this.events = events;
        this.authLimit = new RateLimiter(config.authPerClientPerSecond(), config.trackedClients());
    }

    Broker.Opened auth(byte[] body, String client) {
        AuditContext c = AuditContext.of("auth", client);
        if (!authLimit.tryAcquire(ClientAddress.group(client), System.nanoTime())) {
            throw auditor.tooMany(c, "more than " + config.authPerClientPerSecond() + " auth requests per second from this client; retry later");
        }
        Request req = Auditor.readOrRefuse(() -> Request.fromJson(Wire.object(body, "auth request")));
        String tee = trust.canonical(req.tee());
        if (!Protocol.accepts(req.version())) {
            throw auditor.refuse(Refusal.UNSUPPORTED_VERSION, c.tee(tee), "protocol version " + req.version()
                    + " is not supported (this broker speaks " + Protocol.VERSION + ")");
        }
        String id = token(24);
        String nonce = Base64.getEncoder().encodeToString(bytes(32));
        long now = clock.millis();
        purgeNowAndThen(now);
        Optional<SupplementalChallenge> supplemental;
        try {
            supplemental = trust.challenge(tee);
        } catch (AttestationException e) {
            throw auditor.refuse(c.tee(tee), EvidenceTrust.notSetUp(tee, e));
        }
        Audit.Entry opened = c.session(id).tee(tee).entry(now, "ok", "challenge issued");
        sessions.create(id, tee, nonce, now + config.sessionLifetime().toMillis(), supplemental.map(s -> trust.seal(id, s.forVerifier())), opened);
        auditor.logged(opened);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(Challenge.HASH, config.runtimeDataHash().name().toLowerCase(Locale.ROOT));
        supplemental.ifPresent(s -> extra.putAll(s.forAttester()));
        events.sessionOpened(tee);
        return new Broker.Opened(id, new Challenge(nonce, extra));
    }

    /**
     * Attest on session {@code sessionId}, with a body that throws a {@link BrokerException} when the
     * transport could not deliver it (too large, too slow): that too is a failed attempt. Returns the
     * attestation token.
     */
    String attest(Optional<String> sessionId, Supplier<byte[]> body, String client) {
        long started = System.nanoTime();
        Sessions.Session s = liveSession(sessionId, AuditContext.of("attest", client));
        AuditContext c = AuditContext.of("attest", client).session(s.id()).tee(s.tee());
        // the store decides which attempt spends the nonce, as it completes; racing copies on this
        // instance are turned away here, before any of them costs an appraisal
        if (s.state() != Sessions.State.CHALLENGED || !attempts.add(s.id())) {
            throw auditor.refuse(Refusal.UNAUTHORIZED_SESSION, c, "this session's nonce was already used; start again with POST " + Protocol.AUTH);
        }
        boolean settled = false;
        try {
            Verdicts.Verdict v;
            try {
                byte[] bytes = body.get();
                v = verdicts.of(s, bytes, clock.millis());
            } catch (RuntimeException | StackOverflowError e) {
                // whatever the guest's bytes provoked, refused, audited and the nonce spent: none of it is retried on this session
                BrokerException why = Auditor.refusal("evidence", e);
                settled = true;
                spend(s, c, why);
                throw why;
            }
            // a warning result is accepted with the checks that made it one: they are what a later refusal names
            Audit.Entry accepted = c.entry(v.at(), v.status().earName(), v.detail(), v.failedChecks());
            Sessions.Completion done = sessions.attest(s.id(), v.evidenceDigest(), v.teePubkey(), v.status().earName(), v.measurement(), v.token(),
                    v.at(), v.expiresAt(), accepted);
            settled = true;
            if (done != Sessions.Completion.ATTESTED) {
                BrokerException why = done == Sessions.Completion.EVIDENCE_REPLAYED
                        ? BrokerException.failedChecks(Refusal.ATTESTATION_FAILED, java.util.List.of(Verdicts.REPLAY),
                        "this evidence was presented before (replay); produce fresh evidence for this session's nonce")
                        : new BrokerException(Refusal.UNAUTHORIZED_SESSION,
                        "this session's nonce was already used or has expired; start again with POST " + Protocol.AUTH);
                spend(s, c, why);
                throw why;
            }
            auditor.logged(accepted);
            events.attested((System.nanoTime() - started) / 1e9);
            return v.token();
        } finally {
            if (!settled) {
                spendQuietly(s, c);
            }
            attempts.remove(s.id());
        }
    }

    /** The live session {@code id} names; refuses (audited) a missing, unknown or expired one. */
    Sessions.Session liveSession(Optional<String> id, AuditContext c) {
        if (id.isEmpty()) {
            throw auditor.refuse(Refusal.UNAUTHORIZED_SESSION, c, "no " + Protocol.COOKIE + " cookie; start with POST " + Protocol.AUTH);
        }
        Sessions.Session s = sessions.find(id.get()).orElseThrow(() -> auditor.refuse(Refusal.UNAUTHORIZED_SESSION, c.session(id.get()),
                "unknown session (expired and purged, or never issued); start with POST " + Protocol.AUTH));
        if (!s.live(clock.millis())) {
            throw auditor.refuse(Refusal.UNAUTHORIZED_SESSION, c.session(s.id()).tee(s.tee()), "session expired; start again with POST "
                    + Protocol.AUTH);
        }
        return s;
    }

    /** Ends a failed attempt: the nonce is spent and the refusal audited (with the checks it names), in one commit. */
    private void spend(Sessions.Session s, AuditContext c, BrokerException why) {
        spend(s, auditor.entry(c, why.refusal().auditOutcome(), why.getMessage(), why.checks()));
    }

    private void spend(Sessions.Session s, Audit.Entry e) {
        sessions.fail(s.id(), e);
        auditor.logged(e);
    }

    /** For what escaped unanswered (the store failing as it completed, an Error): the nonce goes with it, if the store can still say so. */
    private void spendQuietly(Sessions.Session s, AuditContext c) {
        try {
            spend(s, auditor.entry(c, "failed", "the attempt failed inside the broker; its nonce is spent", java.util.List.of()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "attest: session " + s.id() + " could not be marked failed: " + Unexpected.describe(e));
        }
    }

    /**
     * At most once per session lifetime (and at least once a minute), whichever instance gets there:
     * expired sessions, evidence digests older than two lifetimes (no session that could accept them
     * remains) and audit entries past their retention are deleted, so the store does not grow without bound.
     */
    private void purgeNowAndThen(long now) {
        long every = Math.min(60_000, config.sessionLifetime().toMillis());
        long last = lastPurge.get();
        if (now - last >= every && lastPurge.compareAndSet(last, now)) {
            sessions.purgeExpired(now, now - 2 * Math.max(config.sessionLifetime().toMillis(), config.tokenLifetime().toMillis()));
            audit.purgeBefore(now - config.auditRetention().toMillis());
        }
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String token(int n) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(n));
    }
}
