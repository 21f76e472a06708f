// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.store.Audit;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.Resources;
import dev.guestattest.broker.store.Sessions;
import dev.guestattest.broker.store.SharedDocuments;
import dev.guestattest.broker.wire.Challenge;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.verify.Appraiser;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The key broker, apart from HTTP: Trustee's RCAR (auth, attest, resource) over the shared store,
 * appraisal on its own, and the administration ({@link #admin()}). Every decision is audited; a
 * refusal releases nothing and says why ({@link BrokerException}, its {@link Refusal}). State lives
 * in the database only, so any number of brokers may share one. This class puts the parts together;
 * each decision is made in one of them.
 */
public final class Broker {
    /**
     * The logger (System.Logger) every decision is logged on at INFO, one JSON object per record
     * ({@link Audit.Entry#toJson}): what an embedding application routes where it wants, and
     * {@code broker serve} writes to stdout, a line each.
     */
    public static final String DECISION_LOG = "dev.guestattest.broker.decisions";

    /**
     * Keeps the decision log to warnings where java.util.logging is the backend: for an embedding
     * that narrates decisions itself (the demo) or measures (the benchmarks). The caller holds the
     * returned logger, as java.util.logging keeps its loggers weakly.
     */
    public static java.util.logging.Logger decisionsAtWarningOnly() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(DECISION_LOG);
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }
    private final Database db;
    private final BrokerConfig config;
    private final Metrics metrics = new Metrics();
    private final Tokens tokens;
    private final Rcar rcar;
    private final Releases releases;
    private final Appraisals appraisals;
    private final BrokerAdmin admin;

    /** What auth answers: the session to set as cookie, and the challenge. */
    public record Opened(String sessionId, Challenge challenge) {
    }

    /** Who asks for a resource: the session cookie, or a bearer token from an earlier attestation. */
    public record Credential(Optional<String> sessionId, Optional<String> bearer) {
    }

    public Broker(Database db, Kek kek, BrokerConfig config, Appraiser appraiser, Clock clock) {
        this.db = db;
        this.config = config;
        SharedDocuments documents = new SharedDocuments(db);
        Audit audit = new Audit(db);
        Resources resources = new Resources(db, kek);
        Policies policies = new Policies(documents);
        Auditor auditor = new Auditor(audit, clock, metrics);
        metrics.collateral(appraiser.collateral()::stats);
        EvidenceTrust trust = new EvidenceTrust(config, kek, Tees.discover(), appraiser, policies);
        this.tokens = new Tokens(documents, kek, clock.millis());
        this.rcar = new Rcar(new Sessions(db), audit, auditor, trust, new Verdicts(config, trust, policies, tokens, metrics), config, clock,
                metrics);
        this.releases = new Releases(rcar, tokens, policies, resources, auditor, clock, metrics);
        this.appraisals = new Appraisals(trust, policies, tokens, auditor, clock, config);
        this.admin = new BrokerAdmin(resources, policies, audit, auditor, clock, config);
    }

    public BrokerConfig config() {
        return config;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Database database() {
        return db;
    }

    public BrokerAdmin admin() {
        return admin;
    }

    /** The key that verifies this broker's tokens (every instance on the store shares it). */
    public ECPublicKey tokenPublicKey() {
        return tokens.publicKey();
    }

    /** That key as a JWK Set ({@code kid}, {@code alg} ES256). */
    public String tokenJwks() {
        return tokens.jwks();
    }

    /** {@code POST /kbs/v0/auth}: {@code {version, tee, extra-params}} opens a session with a fresh nonce. */
    public Opened auth(byte[] body, String client) {
        return rcar.auth(body, client);
    }

    /**
     * {@code POST /kbs/v0/attest}: the runtime data must carry this session's nonce, the evidence's
     * report data must be the hash of that runtime data (binding the TEE key to the evidence), the
     * evidence must not have been seen before, and its appraisal must not be contraindicated. The
     * session's nonce is spent and the attempt audited whatever the outcome, whatever fails.
     * Returns the attestation token (an EAR JWT).
     */
    public String attest(Optional<String> sessionId, byte[] body, String client) {
        return attest(sessionId, () -> body, client);
    }

    /** As {@link #attest(Optional, byte[], String)}, with a body that throws a {@link BrokerException} when the transport could not deliver it. */
    public String attest(Optional<String> sessionId, Supplier<byte[]> body, String client) {
        return rcar.attest(sessionId, body, client);
    }

    /** {@code GET /kbs/v0/resource/REPO/TYPE/TAG}: the secret as a flattened JWE wrapped to the attested TEE key. */
    public String release(Credential who, String repoTypeTag, String client) {
        return releases.release(who, repoTypeTag, client);
    }

    /** {@code POST /appraise}: evidence appraised against the attestation policy, with its EAR; nothing is released. */
    public ObjectNode appraise(byte[] body, String client) {
        return appraisals.appraise(body, client);
    }

    // the administration calls that in-process callers (the CLI at start, tests, benchmarks) make most

    public List<Audit.Entry> audit(int limit) {
        return admin.audit(limit);
    }

    public List<String> resourcePaths() {
        return admin.resourcePaths();
    }

    public void putResource(String repoTypeTag, byte[] secret, String client) {
        admin.putResource(repoTypeTag, secret, client);
    }

    public String setAttestationPolicy(byte[] document, String client) {
        return admin.setAttestationPolicy(document, client);
    }

    public void setResourcePolicy(byte[] document, String client) {
        admin.setResourcePolicy(document, client);
    }
}
