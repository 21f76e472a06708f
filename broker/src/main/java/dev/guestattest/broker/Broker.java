package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.guestattest.broker.policy.ResourcePolicy;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.store.Audit;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.Resources;
import dev.guestattest.broker.store.Sessions;
import dev.guestattest.broker.store.Settings;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.SupplementalChallenge;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ear.EarVerifier;
import dev.guestattest.verify.freshness.RuntimeData;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The key broker, apart from HTTP: Trustee's RCAR (auth, attest, resource) over the shared store,
 * the admin operations, and appraisal on its own. Every decision is audited; a refusal releases
 * nothing and says why. State lives in the database only, so any number of brokers may share one.
 */
public final class Broker {
    /** RCAR protocol version this broker speaks (Trustee's KBS). */
    public static final String PROTOCOL_VERSION = "0.4.0";
    public static final Set<String> TEES = Set.of("tdx", "snp", "cca", "cove", "s390", "tpm");
    private static final Map<String, String> TRUSTEE_NAMES = Map.of("se", "s390", "sample", "none");
    /** Aux parts that are trust anchors or verifier secrets: only the broker's configuration supplies them. */
    private static final Set<String> VERIFIER_PARTS = Set.of("cpak", "ak", "secret", "image");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger("dev.guestattest.broker");

    private final Database db;
    private final Kek kek;
    private final Resources resources;
    private final Settings settings;
    private final Sessions sessions;
    private final Audit audit;
    private final BrokerConfig config;
    private final Appraiser appraiser;
    private final Clock clock;
    private final TokenKey tokenKey;
    private final Metrics metrics = new Metrics();
    private final RateLimiter authLimit;
    private final RateLimiter appraiseLimit;
    /** Charged only when an admin call is refused: a token-guessing loop runs dry, an admin's own calls do not. */
    private final RateLimiter adminFailures;
    /** One 429 per client and endpoint a minute is audited; the rest are counted (a flood must not become audit rows). */
    private final RateLimiter audited429 = new RateLimiter(1.0 / 60, 1, 100_000);
    private final SecureRandom random = new SecureRandom();
    private final java.util.concurrent.atomic.AtomicLong lastPurge = new java.util.concurrent.atomic.AtomicLong();
    /** Sessions with an attempt under way on this instance. */
    private final Set<String> attempts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final SharedDocument<Policy> attestationPolicy;
    private final SharedDocument<ResourcePolicy> resourcePolicy;
    private final SharedDocument<ReferenceValues> referenceValues;

    public Broker(Database db, Kek kek, BrokerConfig config, Appraiser appraiser, Clock clock) {
        this.db = db;
        this.kek = kek;
        this.resources = new Resources(db, kek);
        this.settings = new Settings(db);
        this.sessions = new Sessions(db);
        this.audit = new Audit(db);
        this.config = config;
        this.appraiser = appraiser;
        this.clock = clock;
        this.tokenKey = TokenKey.shared(settings, kek, clock.millis());
        this.authLimit = new RateLimiter(config.authPerClientPerSecond(), 100_000);
        this.appraiseLimit = new RateLimiter(config.appraisePerClientPerSecond(), 100_000);
        this.adminFailures = new RateLimiter(config.adminFailuresPerClientPerMinute() / 60.0, config.adminFailuresPerClientPerMinute(), 100_000);
        this.attestationPolicy = new SharedDocument<>(settings, Settings.ATTESTATION_POLICY, Policy::parse);
        this.resourcePolicy = new SharedDocument<>(settings, Settings.RESOURCE_POLICY, ResourcePolicy::parse);
        this.referenceValues = new SharedDocument<>(settings, Settings.REFERENCE_VALUES, ReferenceValues::parse);
    }

    public Metrics metrics() {
        return metrics;
    }

    public Database database() {
        return db;
    }

    /** The key that verifies this broker's tokens (every instance on the store shares it). */
    public ECPublicKey tokenPublicKey() {
        return tokenKey.publicKey();
    }

    public List<Audit.Entry> audit(int limit) {
        return audit.recent(Math.max(1, Math.min(limit, 10_000)));
    }

    /** What an auth step answers: the session to set as cookie and the challenge body. */
    public record Challenge(String sessionId, ObjectNode body) {
    }

    /** {@code POST /kbs/v0/auth}: {@code {version, tee, extra-params}} opens a session with a fresh nonce. */
    public Challenge auth(byte[] body, String client) {
        if (!authLimit.tryAcquire(ClientAddress.group(client), System.nanoTime())) {
            throw tooMany("auth", client, "more than " + config.authPerClientPerSecond() + " auth requests per second from this client; retry later");
        }
        JsonNode req = json(body, "auth request");
        String tee = tee(req.path("tee").asText(""));
        String version = req.path("version").asText("");
        if (!version.isEmpty() && !version.startsWith("0.")) {
            throw refuse(400, "auth", Optional.empty(), Optional.of(tee), Optional.empty(), client,
                    "protocol version " + version + " is not supported (this broker speaks " + PROTOCOL_VERSION + ")");
        }
        String id = token(24);
        String nonce = Base64.getEncoder().encodeToString(bytes(32));
        long now = clock.millis();
        purgeNowAndThen(now);
        Optional<SupplementalChallenge> supplemental;
        try {
            supplemental = appraiser.challenge(tee, config.trustedAux().getOrDefault(tee, Map.of()), random);
        } catch (AttestationException e) {
            throw refuse(503, "auth", Optional.empty(), Optional.of(tee), Optional.empty(), client,
                    "this broker is not set up for " + tee + ": " + e.getMessage());
        }
        sessions.create(id, tee, nonce, now + config.sessionLifetime().toMillis(),
                supplemental.map(c -> sealVerifierParts(id, c.forVerifier())),
                new Audit.Entry(now, "auth", "ok", Optional.of(id), Optional.of(tee), Optional.empty(), client, "challenge issued"));
        ObjectNode challenge = JSON.createObjectNode().put("nonce", nonce);
        ObjectNode extra = challenge.putObject("extra-params");
        extra.put("selected-hash-algorithm", config.runtimeDataHash().name().toLowerCase(java.util.Locale.ROOT));
        supplemental.ifPresent(c -> c.forAttester().forEach(extra::put));
        metrics.auths.labelValues(tee).inc();
        return new Challenge(id, challenge);
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

    /**
     * As {@link #attest(Optional, byte[], String)}, with a body that throws a {@link BrokerException}
     * when the transport could not deliver it (too large, too slow): that too is a failed attempt.
     */
    public String attest(Optional<String> sessionId, Supplier<byte[]> body, String client) {
        long started = System.nanoTime();
        Sessions.Session s = liveSession(sessionId, "attest", client);
        // the store decides which attempt spends the nonce, as it completes; racing copies on this
        // instance are turned away here, before any of them costs an appraisal
        if (s.state() != Sessions.State.CHALLENGED || !attempts.add(s.id())) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "this session's nonce was already used; start again with POST /kbs/v0/auth");
        }
        boolean settled = false;
        try {
            Verdict v;
            try {
                v = verdict(s, body.get());
            } catch (RuntimeException | StackOverflowError e) {
                // whatever the guest's bytes provoked, refused, audited and the nonce spent: none of it is retried on this session
                BrokerException why = refusal("evidence", e);
                settled = true;
                spend(s, client, "refused-" + why.status(), why.getMessage());
                throw why;
            }
            Sessions.Completion done = sessions.attest(s.id(), v.evidenceDigest(), v.teePubkey(), v.status().earName(), v.measurement(), v.at(),
                    v.expiresAt(), new Audit.Entry(v.at(), "attest", v.status().earName(), Optional.of(s.id()), Optional.of(s.tee()),
                            Optional.empty(), client, v.detail()));
            settled = true;
            if (done != Sessions.Completion.ATTESTED) {
                String why = done == Sessions.Completion.EVIDENCE_REPLAYED
                        ? "this evidence was presented before (replay); produce fresh evidence for this session's nonce"
                        : "this session's nonce was already used or has expired; start again with POST /kbs/v0/auth";
                spend(s, client, "refused-401", why);
                throw new BrokerException(401, why);
            }
            metrics.attestSeconds.observe((System.nanoTime() - started) / 1e9);
            return v.token();
        } finally {
            if (!settled) {
                spendQuietly(s, client);
            }
            attempts.remove(s.id());
        }
    }

    /** What an appraised attempt records once the store completes it. */
    private record Verdict(String token, String evidenceDigest, String teePubkey, Tier status, Optional<String> measurement, long at,
                           long expiresAt, String detail) {
    }

    /** Everything of an attempt but the store's completion; refuses with plain {@link BrokerException}s, which the caller audits. */
    private Verdict verdict(Sessions.Session s, byte[] body) {
        JsonNode req = json(body, "attestation");
        if (req.has("init-data") && !req.get("init-data").isNull()) {
            throw new BrokerException(400, "init-data is not supported by this broker; leave it out");
        }
        JsonNode runtime = req.path("runtime-data");
        String nonce = runtime.path("nonce").asText("");
        if (!MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), s.nonce().getBytes(StandardCharsets.UTF_8))) {
            throw new BrokerException(401, "runtime-data.nonce is not this session's nonce (a replayed or foreign answer)");
        }
        TeeKey teeKey = TeeKey.parse(runtime.get("tee-pubkey"));
        Evidence evidence = evidence(s.tee(), req.path("tee-evidence"));
        evidence = trusted(Optional.of(s.tee()), evidence, s.verifierSecret().map(sealed -> openVerifierParts(s.id(), sealed)).orElse(Map.of()));
        long now = clock.millis();
        Policy policy = attestationPolicy.get().orElseThrow(() -> new BrokerException(403,
                "no attestation policy is set; an administrator must set one (guest-attest broker policy set)"));
        Bytes expected = RuntimeData.reportData(nonce, runtime.get("tee-pubkey"), config.runtimeDataHash());
        AppraisalContext ctx = AppraisalContext.of(policy, Instant.ofEpochMilli(now)).withRoots(config.roots().getOrDefault(s.tee(), List.of())).withReportData(expected)
                .withStore(referenceValues.get().orElse(ReferenceValues.EMPTY));
        Appraisal a = appraiser.appraise(evidence, ctx);
        metrics.attestations.labelValues(s.tee(), a.status().earName()).inc();
        if (!a.format().equals(s.tee())) {
            throw new BrokerException(401, "the evidence is " + a.format() + ", the session was opened for " + s.tee());
        }
        if (a.status() == Tier.CONTRAINDICATED || a.status() == Tier.NONE) {
            throw new BrokerException(401, a.status().earName() + ": " + String.join("; ", a.failures().stream().map(Check::toString).toList()));
        }
        Instant exp = Instant.ofEpochMilli(now).plus(config.tokenLifetime());
        Map<String, Object> extra = new HashMap<>();
        extra.put("exp", exp);
        extra.put("tee-pubkey", teeKey.jwk().toJSONObject());
        String token = tokenKey.signer().sign(a, Optional.empty(), extra);
        return new Verdict(token, Bytes.of(HashAlgorithm.SHA256.hash(evidence.bytes().toArray())).hex(), teeKey.json(), a.status(),
                a.claims().flatMap(c -> c.initialMeasurement()).map(Bytes::hex), now, exp.toEpochMilli(),
                "policy " + a.policyId() + ", vector " + a.trustVector().values());
    }

    /** Ends a failed attempt: the nonce is spent and the refusal audited, in one commit. */
    private void spend(Sessions.Session s, String client, String outcome, String why) {
        sessions.fail(s.id(), new Audit.Entry(clock.millis(), "attest", outcome, Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(),
                client, why));
    }

    /** For what escaped unanswered (the store failing as it completed, an Error): the nonce goes with it, if the store can still say so. */
    private void spendQuietly(Sessions.Session s, String client) {
        try {
            spend(s, client, "failed", "the attempt failed inside the broker; its nonce is spent");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "attest: session " + s.id() + " could not be marked failed: " + Unexpected.describe(e));
        }
    }

    /** Who asks for a resource: the session cookie, or a bearer token from an earlier attestation. */
    public record Credential(Optional<String> sessionId, Optional<String> bearer) {
    }

    /** {@code GET /kbs/v0/resource/REPO/TYPE/TAG}: the secret as a flattened JWE wrapped to the attested TEE key. */
    public String release(Credential who, String repoTypeTag, String client) {
        String path = Resources.path(repoTypeTag);
        String tee;
        Tier status;
        Optional<Bytes> measurement;
        TeeKey key;
        Optional<String> session = Optional.empty();
        long now = clock.millis();
        if (who.bearer().isPresent()) {
            JWTClaimsSet claims;
            try {
                claims = EarVerifier.verify(who.bearer().get(), tokenKey.publicKey());
            } catch (AttestationException e) {
                metrics.releases.labelValues("unauthenticated").inc();
                throw refuse(401, "resource", Optional.empty(), Optional.empty(), Optional.of(path), client, "token refused: " + e.getMessage());
            }
            if (claims.getExpirationTime() == null || claims.getExpirationTime().getTime() <= now) {
                metrics.releases.labelValues("unauthenticated").inc();
                throw refuse(401, "resource", Optional.empty(), Optional.empty(), Optional.of(path), client, "token expired; attest again");
            }
            Map<String, Object> submods = claims.getClaims().get("submods") instanceof Map<?, ?> m ? cast(m) : Map.of();
            if (submods.size() != 1 || !(claims.getClaim("tee-pubkey") instanceof Map<?, ?> jwk)) {
                throw refuse(401, "resource", Optional.empty(), Optional.empty(), Optional.of(path), client, "token is not one this broker issues");
            }
            Map.Entry<String, Object> sub = submods.entrySet().iterator().next();
            tee = sub.getKey();
            Map<?, ?> appraisal = sub.getValue() instanceof Map<?, ?> m ? m : Map.of();
            status = tier(String.valueOf(appraisal.get("ear.status")));
            measurement = appraisal.get("ear.guestattest.claims") instanceof Map<?, ?> common && common.get("initial_measurement") instanceof String h
                    ? Optional.of(Bytes.fromHex("token initial_measurement", h)) : Optional.empty();
            key = TeeKey.parse(JSON.valueToTree(jwk));
        } else {
            Sessions.Session s = liveSession(who.sessionId(), "resource", client);
            if (s.state() != Sessions.State.ATTESTED) {
                metrics.releases.labelValues("unauthenticated").inc();
                throw refuse(401, "resource", Optional.of(s.id()), Optional.of(s.tee()), Optional.of(path), client,
                        "this session has not attested; POST /kbs/v0/attest first");
            }
            session = Optional.of(s.id());
            tee = s.tee();
            status = tier(s.status().orElse(""));
            measurement = s.measurement().map(h -> Bytes.fromHex("session measurement", h));
            key = TeeKey.parse(s.teePubkey().orElseThrow());
        }
        ResourcePolicy rp = resourcePolicy.get().orElse(ResourcePolicy.DEFAULT);
        if (!rp.allows(path, new ResourcePolicy.Result(tee, status, measurement))) {
            metrics.releases.labelValues("forbidden").inc();
            throw refuse(403, "resource", session, Optional.of(tee), Optional.of(path), client,
                    "the resource policy does not let a " + status.earName() + " " + tee + " result read " + path);
        }
        byte[] secret = resources.get(path).orElseThrow(() -> {
            metrics.releases.labelValues("absent").inc();
            return refuse(404, "resource", Optional.empty(), Optional.of(tee), Optional.of(path), client, "no resource " + path);
        });
        try {
            String jwe = key.wrap(secret);
            metrics.releases.labelValues("released").inc();
            audit.record(new Audit.Entry(now, "resource", "released", session, Optional.of(tee), Optional.of(path), client,
                    "wrapped with " + key.algorithm() + " to the attested TEE key"));
            return jwe;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    // ---- admin ----

    /**
     * The door to every admin endpoint: a client past its budget of refused admin calls gets 429
     * whatever it sends (so a token-guessing loop runs dry), and a wrong credential is refused,
     * audited and charged to that budget.
     */
    public void admitAdmin(boolean credentialValid, String client) {
        if (adminFailures.exhausted(ClientAddress.group(client), System.nanoTime())) {
            throw tooMany("admin", client, "more than " + config.adminFailuresPerClientPerMinute()
                    + " refused admin calls per minute from this client; retry later");
        }
        if (!credentialValid) {
            throw adminRefused(client, new BrokerException(401, "this is an admin endpoint: it takes the admin token (Authorization: Bearer ...), "
                    + "not a guest's attestation token"));
        }
    }

    /**
     * Runs an admitted admin call; its refusal (a document that does not parse, a bad path, a body
     * that did not arrive) is audited and charged like a wrong token. The store's own failure is not
     * the caller's and passes through.
     */
    public <T> T admin(String client, Supplier<T> call) {
        try {
            return call.get();
        } catch (AttestationException e) {
            if (e.reason().category() != Reason.Category.INPUT) {
                throw e;
            }
            throw adminRefused(client, refusal("admin request", e));
        } catch (RuntimeException | StackOverflowError e) {
            throw adminRefused(client, refusal("admin request", e));
        }
    }

    private BrokerException adminRefused(String client, BrokerException why) {
        adminFailures.tryAcquire(ClientAddress.group(client), System.nanoTime());
        return refuse(why.status(), "admin", Optional.empty(), Optional.empty(), Optional.empty(), client, why.getMessage());
    }

    // the calls themselves: the caller has admitted the admin credential (or is the broker's own configuration)

    public void putResource(String repoTypeTag, byte[] secret, String client) {
        String path = Resources.path(repoTypeTag);
        resources.put(path, secret, "admin@" + client, clock.millis());
        audit.record(new Audit.Entry(clock.millis(), "admin", "resource-set", Optional.empty(), Optional.empty(), Optional.of(path), client,
                secret.length + " bytes"));
    }

    public boolean deleteResource(String repoTypeTag, String client) {
        String path = Resources.path(repoTypeTag);
        boolean gone = resources.delete(path);
        audit.record(new Audit.Entry(clock.millis(), "admin", gone ? "resource-deleted" : "resource-absent", Optional.empty(), Optional.empty(),
                Optional.of(path), client, ""));
        return gone;
    }

    public List<String> resourcePaths() {
        return resources.paths();
    }

    /** Sets the attestation policy after checking it whole (a typo fails here, with its line). Returns its id. */
    public String setAttestationPolicy(byte[] document, String client) {
        Policy p = Policy.parse(document);
        setting(Settings.ATTESTATION_POLICY, document, client, "policy " + p.id() + " sha256 " + p.sha256().hex());
        return p.id();
    }

    public void setResourcePolicy(byte[] document, String client) {
        ResourcePolicy p = ResourcePolicy.parse(document);
        setting(Settings.RESOURCE_POLICY, document, client, p.rules().size() + " rules");
    }

    public void setReferenceValues(byte[] document, String client) {
        ReferenceValues v = ReferenceValues.parse(document);
        setting(Settings.REFERENCE_VALUES, document, client, v.entries().size() + " values");
    }

    private void setting(String name, byte[] document, String client, String detail) {
        settings.put(name, document, clock.millis());
        attestationPolicy.invalidate();
        resourcePolicy.invalidate();
        referenceValues.invalidate();
        audit.record(new Audit.Entry(clock.millis(), "admin", name + "-set", Optional.empty(), Optional.empty(), Optional.empty(), client,
                detail));
    }

    /**
     * {@code POST /appraise}, usable on its own: {@code {"evidence": base64, "format"?: name, "aux"?:
     * {name: base64}, "report_data"?: hex}} appraised against the attestation policy; answers the
     * appraisal and its EAR JWT. Nothing is released and no session is needed.
     */
    public ObjectNode appraise(byte[] body, String client) {
        if (!appraiseLimit.tryAcquire(ClientAddress.group(client), System.nanoTime())) {
            throw tooMany("appraise", client, "more than " + config.appraisePerClientPerSecond() + " appraisals per second from this client; retry later");
        }
        Appraisal a;
        ObjectNode out;
        try {
            JsonNode req = json(body, "appraisal request");
            Optional<String> format = Optional.ofNullable(req.get("format")).map(JsonNode::asText);
            Evidence e = trusted(format, evidence(format, req), Map.of());
            Policy policy = attestationPolicy.get().orElseThrow(() -> new BrokerException(403,
                    "no attestation policy is set; an administrator must set one"));
            AppraisalContext ctx = AppraisalContext.of(policy, clock.instant())
                    .withRoots(format.map(f -> config.roots().getOrDefault(f, List.of())).orElse(List.of()))
                    .withStore(referenceValues.get().orElse(ReferenceValues.EMPTY));
            if (req.hasNonNull("report_data")) {
                ctx = ctx.withReportData(Bytes.fromHex("report_data", req.get("report_data").asText()));
            }
            a = appraiser.appraise(e, ctx);
            out = a.toJson();
            out.put("ear", tokenKey.signer().sign(a, Optional.empty()));
        } catch (RuntimeException | StackOverflowError e) {
            BrokerException why = refusal("evidence", e);
            throw refuse(why.status(), "appraise", Optional.empty(), Optional.empty(), Optional.empty(), client, why.getMessage());
        }
        audit.record(new Audit.Entry(clock.millis(), "appraise", a.status().earName(), Optional.empty(), Optional.of(a.format()), Optional.empty(),
                client, "policy " + a.policyId()));
        return out;
    }

    // ---- helpers ----

    /**
     * The evidence with the parts only the verifier may supply: trust anchors from the configuration
     * for {@code tee}, and the session's verifier secret. A caller sending such a part is refused,
     * whether it attests or asks for an appraisal (whose EAR this broker signs too).
     */
    private Evidence trusted(Optional<String> tee, Evidence e, Map<String, Bytes> sessionParts) {
        for (String part : e.aux().keySet()) {
            if (VERIFIER_PARTS.contains(part)) {
                throw new BrokerException(400, "tee-evidence.aux." + part + " is a trust anchor; the broker's configuration supplies it, a guest may not");
            }
        }
        Map<String, Bytes> aux = new HashMap<>(e.aux());
        tee.ifPresent(t -> aux.putAll(config.trustedAux().getOrDefault(t, Map.of())));
        aux.putAll(sessionParts);
        return new Evidence(e.format(), e.bytes(), aux);
    }

    /** The verifier's half of a supplemental challenge, sealed with the KEK to this session: {name: base64} JSON. */
    private byte[] sealVerifierParts(String session, Map<String, Bytes> parts) {
        ObjectNode n = JSON.createObjectNode();
        parts.forEach((k, v) -> n.put(k, Base64.getEncoder().encodeToString(v.toArray())));
        byte[] plain = n.toString().getBytes(StandardCharsets.UTF_8);
        try {
            return kek.seal("session/" + session, plain).toBytes();
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private Map<String, Bytes> openVerifierParts(String session, byte[] stored) {
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

    private Sessions.Session liveSession(Optional<String> id, String event, String client) {
        if (id.isEmpty()) {
            throw refuse(401, event, Optional.empty(), Optional.empty(), Optional.empty(), client,
                    "no kbs-session-id cookie; start with POST /kbs/v0/auth");
        }
        Sessions.Session s = sessions.find(id.get()).orElseThrow(() -> refuse(401, event, id, Optional.empty(), Optional.empty(), client,
                "unknown session (expired and purged, or never issued); start with POST /kbs/v0/auth"));
        if (!s.live(clock.millis())) {
            throw refuse(401, event, id, Optional.of(s.tee()), Optional.empty(), client, "session expired; start again with POST /kbs/v0/auth");
        }
        return s;
    }

    private static String tee(String name) {
        String n = TRUSTEE_NAMES.getOrDefault(name, name);
        if (!TEES.contains(n)) {
            throw new BrokerException(400, "tee '" + name + "' is not one this broker appraises " + new java.util.TreeSet<>(TEES));
        }
        return n;
    }

    /** {@code tee-evidence}: {@code {"evidence": base64, "aux": {name: base64}}}, or that object under {@code primary_evidence}. */
    private static Evidence evidence(String tee, JsonNode teeEvidence) {
        JsonNode e = teeEvidence.has("primary_evidence") ? teeEvidence.get("primary_evidence") : teeEvidence;
        return evidence(Optional.of(tee), e);
    }

    private static Evidence evidence(Optional<String> format, JsonNode e) {
        if (!e.path("evidence").isTextual()) {
            throw new BrokerException(400, "tee-evidence.evidence must be the evidence in base64");
        }
        Bytes bytes = base64("tee-evidence.evidence", e.get("evidence").asText());
        Map<String, Bytes> aux = new HashMap<>();
        JsonNode a = e.path("aux");
        if (!a.isMissingNode() && !a.isObject()) {
            throw new BrokerException(400, "tee-evidence.aux must be an object of base64 parts");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> part = it.next();
            aux.put(part.getKey(), base64("tee-evidence.aux." + part.getKey(), part.getValue().asText()));
        }
        return new Evidence(format, bytes, aux);
    }

    private static Bytes base64(String field, String text) {
        try {
            return Bytes.of(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new BrokerException(400, field + " is not base64");
        }
    }

    private static JsonNode json(byte[] body, String what) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new BrokerException(400, what + " must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BrokerException(400, what + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Tier tier(String earName) {
        for (Tier t : Tier.values()) {
            if (t.earName().equals(earName)) {
                return t;
            }
        }
        return Tier.NONE;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /**
     * What a failed attempt tells the caller: a refusal as it is; bad input (an AttestationException)
     * as 400, or 413 when too large; the environment failing (the store, a collateral service) as 503
     * with its words kept in the log, as they name hosts and tables; anything else the guest's bytes
     * provoked as 400, named by its type and a scrubbed message. Its frames go to the log at DEBUG only.
     */
    private static BrokerException refusal(String what, Throwable e) {
        if (e instanceof BrokerException b) {
            return b;
        }
        if (e instanceof AttestationException a) {
            if (a.reason().category() == Reason.Category.ENVIRONMENT) {
                LOG.log(System.Logger.Level.WARNING, what + " could not be processed: " + a.reason() + ": " + a.getMessage());
                return new BrokerException(503, what + " could not be processed now (" + a.reason() + "); retry later");
            }
            return new BrokerException(a.reason() == Reason.TOO_LARGE ? 413 : 400, a.getMessage());
        }
        LOG.log(System.Logger.Level.DEBUG, () -> what + " could not be processed: " + Unexpected.where(e));
        return new BrokerException(400, what + " could not be processed: " + Unexpected.describe(e));
    }

    /** A 429: audited once a minute per client and endpoint, counted always. */
    private BrokerException tooMany(String event, String client, String why) {
        if (audited429.tryAcquire(event + " " + ClientAddress.group(client), System.nanoTime())) {
            audit.record(new Audit.Entry(clock.millis(), event, "refused-429", Optional.empty(), Optional.empty(), Optional.empty(), client,
                    why + " (further 429s to this client within a minute are counted in metrics, not audited)"));
        } else {
            metrics.unaudited.labelValues(event).inc();
        }
        return new BrokerException(429, why);
    }

    private BrokerException refuse(int status, String event, Optional<String> session, Optional<String> tee, Optional<String> path, String client,
                                   String why) {
        audit.record(new Audit.Entry(clock.millis(), event, "refused-" + status, session, tee, path, client, why));
        return new BrokerException(status, why);
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
