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
        if (!authLimit.tryAcquire(client, System.nanoTime())) {
            throw refuse(429, "auth", Optional.empty(), Optional.empty(), Optional.empty(), client,
                    "more than " + config.authPerClientPerSecond() + " auth requests per second from this client; retry later");
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
     * session's nonce is spent whatever the outcome. Returns the attestation token (an EAR JWT).
     */
    public String attest(Optional<String> sessionId, byte[] body, String client) {
        long started = System.nanoTime();
        Sessions.Session s = liveSession(sessionId, "attest", client);
        // the store decides which attempt spends the nonce, as it completes; racing copies on this
        // instance are turned away here, before any of them costs an appraisal
        if (s.state() != Sessions.State.CHALLENGED || !attempts.add(s.id())) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "this session's nonce was already used; start again with POST /kbs/v0/auth");
        }
        try {
            String token = attestChallenged(s, body, client);
            metrics.attestSeconds.observe((System.nanoTime() - started) / 1e9);
            return token;
        } catch (BrokerException e) {
            sessions.fail(s.id());
            throw e;
        } catch (AttestationException e) {
            sessions.fail(s.id());
            throw refuse(400, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client, e.getMessage());
        } finally {
            attempts.remove(s.id());
        }
    }

    private String attestChallenged(Sessions.Session s, byte[] body, String client) {
        JsonNode req = json(body, "attestation");
        if (req.has("init-data") && !req.get("init-data").isNull()) {
            throw refuse(400, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "init-data is not supported by this broker; leave it out");
        }
        JsonNode runtime = req.path("runtime-data");
        String nonce = runtime.path("nonce").asText("");
        if (!MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), s.nonce().getBytes(StandardCharsets.UTF_8))) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "runtime-data.nonce is not this session's nonce (a replayed or foreign answer)");
        }
        TeeKey teeKey = TeeKey.parse(runtime.get("tee-pubkey"));
        Evidence evidence = evidence(s.tee(), req.path("tee-evidence"));
        evidence = trusted(Optional.of(s.tee()), evidence, s.verifierSecret().map(sealed -> openVerifierParts(s.id(), sealed)).orElse(Map.of()),
                "attest", Optional.of(s.id()), client);
        long now = clock.millis();
        Policy policy = attestationPolicy.get().orElseThrow(() -> refuse(403, "attest", Optional.of(s.id()), Optional.of(s.tee()),
                Optional.empty(), client, "no attestation policy is set; an administrator must set one (guest-attest broker policy set)"));
        Bytes expected = RuntimeData.reportData(nonce, runtime.get("tee-pubkey"), config.runtimeDataHash());
        AppraisalContext ctx = AppraisalContext.of(policy, Instant.ofEpochMilli(now)).withRoots(config.roots().getOrDefault(s.tee(), List.of())).withReportData(expected)
                .withStore(referenceValues.get().orElse(ReferenceValues.EMPTY));
        Appraisal a = appraiser.appraise(evidence, ctx);
        metrics.attestations.labelValues(s.tee(), a.status().earName()).inc();
        if (!a.format().equals(s.tee())) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "the evidence is " + a.format() + ", the session was opened for " + s.tee());
        }
        if (a.status() == Tier.CONTRAINDICATED || a.status() == Tier.NONE) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    a.status().earName() + ": " + String.join("; ", a.failures().stream().map(Check::toString).toList()));
        }
        Instant exp = Instant.ofEpochMilli(now).plus(config.tokenLifetime());
        Map<String, Object> extra = new HashMap<>();
        extra.put("exp", exp);
        extra.put("tee-pubkey", teeKey.jwk().toJSONObject());
        String token = tokenKey.signer().sign(a, Optional.empty(), extra);
        Optional<String> measurement = a.claims().flatMap(c -> c.initialMeasurement()).map(Bytes::hex);
        Sessions.Completion done = sessions.attest(s.id(), Bytes.of(HashAlgorithm.SHA256.hash(evidence.bytes().toArray())).hex(), teeKey.json(), a.status().earName(), measurement, now,
                exp.toEpochMilli(), new Audit.Entry(now, "attest", a.status().earName(), Optional.of(s.id()), Optional.of(s.tee()),
                        Optional.empty(), client, "policy " + a.policyId() + ", vector " + a.trustVector().values()));
        if (done == Sessions.Completion.EVIDENCE_REPLAYED) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "this evidence was presented before (replay); produce fresh evidence for this session's nonce");
        }
        if (done == Sessions.Completion.NONCE_SPENT) {
            throw refuse(401, "attest", Optional.of(s.id()), Optional.of(s.tee()), Optional.empty(), client,
                    "this session's nonce was already used or has expired; start again with POST /kbs/v0/auth");
        }
        return token;
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

    // ---- admin: the caller has checked the admin credential ----

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
        JsonNode req = json(body, "appraisal request");
        Optional<String> format = Optional.ofNullable(req.get("format")).map(JsonNode::asText);
        Evidence e = trusted(format, evidence(format, req), Map.of(), "appraise", Optional.empty(), client);
        Policy policy = attestationPolicy.get().orElseThrow(() -> refuse(403, "appraise", Optional.empty(), Optional.empty(), Optional.empty(),
                client, "no attestation policy is set; an administrator must set one"));
        AppraisalContext ctx = AppraisalContext.of(policy, clock.instant())
                .withRoots(format.map(f -> config.roots().getOrDefault(f, List.of())).orElse(List.of()))
                .withStore(referenceValues.get().orElse(ReferenceValues.EMPTY));
        if (req.hasNonNull("report_data")) {
            ctx = ctx.withReportData(Bytes.fromHex("report_data", req.get("report_data").asText()));
        }
        Appraisal a = appraiser.appraise(e, ctx);
        ObjectNode out = a.toJson();
        out.put("ear", tokenKey.signer().sign(a, Optional.empty()));
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
    private Evidence trusted(Optional<String> tee, Evidence e, Map<String, Bytes> sessionParts, String event, Optional<String> session,
                             String client) {
        for (String part : e.aux().keySet()) {
            if (VERIFIER_PARTS.contains(part)) {
                throw refuse(400, event, session, tee, Optional.empty(), client, "tee-evidence.aux." + part
                        + " is a trust anchor; the broker's configuration supplies it, a guest may not");
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
