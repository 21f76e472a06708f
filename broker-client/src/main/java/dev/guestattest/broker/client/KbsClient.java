// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.jwk.Curve;
import dev.guestattest.broker.wire.Attestation;
import dev.guestattest.broker.wire.Challenge;
import dev.guestattest.broker.wire.ErrorBody;
import dev.guestattest.broker.wire.Jwe;
import dev.guestattest.broker.wire.Protocol;
import dev.guestattest.broker.wire.Request;
import dev.guestattest.broker.wire.TeeEvidence;
import dev.guestattest.broker.wire.TokenResponse;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.net.EnvironmentProxies;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.keys.Secret;
import dev.guestattest.verify.freshness.RuntimeData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guest side of RCAR: auth, attest with evidence whose report data binds a key pair made for
 * this one exchange, then fetch the resource wrapped to that key and unwrap it. The private key
 * never leaves this object and is dropped with it; the secret comes back as a {@link Secret} that
 * never prints itself. Every call is bounded by the timeout.
 */
public final class KbsClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE = 8 << 20;
    private static final Tees TEES = Tees.discover();

    private final List<URI> brokers;
    private final AtomicInteger next = new AtomicInteger();
    private final HttpClient http;
    private final Duration timeout;
    private final EnvironmentProxies proxies;

    /** Makes evidence whose report data is the given 64 bytes. */
    @FunctionalInterface
    public interface Attester {
        Evidence evidence(Bytes reportData);

        /**
         * The same, given the challenge's extra-params: what a verifier-made request brings (s390's
         * {@code arcb}). Attesters of TEEs that need none ignore them.
         */
        default Evidence evidence(Bytes reportData, Map<String, String> extraParams) {
            return evidence(reportData);
        }
    }

    public KbsClient(URI broker, Duration timeout) {
        this(List.of(broker), timeout);
    }

    /**
     * Several brokers sharing one store: each request goes to the next in turn, as DNS round robin
     * or a load balancer would send it (the session lives in the store, not in any one broker).
     */
    public KbsClient(List<URI> brokers, Duration timeout) {
        this(brokers, timeout, Optional.empty());
    }

    /**
     * Over HTTPS with {@code tls} (e.g. trusting the broker's own CA); without it, the JDK's default
     * trust. Through the proxies the environment names (HTTPS_PROXY, NO_PROXY, ...: {@link EnvironmentProxies}).
     */
    public KbsClient(List<URI> brokers, Duration timeout, Optional<javax.net.ssl.SSLContext> tls) {
        this(brokers, timeout, tls, EnvironmentProxies.fromEnvironment());
    }

    /** As above, through {@code proxies} rather than the environment's. */
    public KbsClient(List<URI> brokers, Duration timeout, Optional<javax.net.ssl.SSLContext> tls, EnvironmentProxies proxies) {
        if (brokers.isEmpty()) {
            throw AttestationException.invalid("brokers", "name at least one");
        }
        this.brokers = List.copyOf(brokers);
        this.timeout = timeout;
        this.proxies = proxies;
        // HTTP/1.1: KBS speaks nothing else
        this.http = BrokerHttp.client(timeout, tls, proxies);
    }

    /** TLS that trusts exactly {@code roots} (the broker's certificate or its CA). */
    public static javax.net.ssl.SSLContext trusting(List<java.security.cert.X509Certificate> roots) {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                ks.setCertificateEntry("root" + i, roots.get(i));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException("a TLS context over in-memory roots cannot fail", e);
        }
    }

    /** A completed attestation: the session cookie, the token, and the exchange's key pair. */
    public static final class Session {
        private final String cookie;
        private final String token;
        private final EcdhEs.KeyPair key;

        Session(String cookie, String token, EcdhEs.KeyPair key) {
            this.cookie = cookie;
            this.token = token;
            this.key = key;
        }

        /** The attestation token (an EAR JWT); usable as {@code Authorization: Bearer} until it expires. */
        public String token() {
            return token;
        }

        @Override
        public String toString() {
            return "KbsClient.Session[attested]";
        }
    }

    /** Auth and attest for {@code tee} ("tdx", "snp", ...). */
    public Session attest(String tee, Attester attester) {
        return attest(tee, attester, Optional.empty());
    }

    /**
     * Auth and attest for {@code tee}, as a guest-components guest does (guest-components 8246e5e0
     * {@code kbs_protocol/src/client/rcar_client.rs}): the evidence in its attester's JSON where the
     * TEE has one ({@link TrusteeEvidence}), no device evidence, and the report data binding
     * {@code {"additional-evidence": "", "nonce", "tee-pubkey"}}; with {@code initData} (a TOML
     * document) when the guest was launched with one. TEEs guest-components has no attester this
     * project reads for (CoVE; s390, whose Trustee challenge differs) speak this project's own
     * dialect, {@code {"evidence", "aux"}} binding {@code {nonce, tee-pubkey}}.
     */
    public Session attest(String tee, Attester attester, Optional<String> initData) {
        EcdhEs.KeyPair key = EcdhEs.KeyPair.generate(Curve.P_256);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(broker().resolve(Protocol.AUTH)).POST(body(Request.of(tee).toJson())), "broker auth",
                false);
        String cookie = r.headers().allValues("set-cookie").stream().map(c -> c.split(";", 2)[0].trim())
                .filter(c -> c.startsWith(Protocol.COOKIE + "=")).findFirst()
                .orElseThrow(() -> AttestationException.of(Reason.IO_ERROR, "broker auth: no " + Protocol.COOKIE + " cookie in the answer"));
        Challenge challenge = Challenge.fromJson(tree(r.body(), "broker auth"));
        if (challenge.nonce().isEmpty()) {
            throw AttestationException.of(Reason.IO_ERROR, "broker auth: the challenge has no nonce");
        }
        JsonNode jwk = publicJwk(key);
        Attestation.CompositeEvidence composite = TEES.find(tee).flatMap(Tee::trusteeEvidence)
                .flatMap(shape -> guestComponents(shape, attester, challenge, jwk))
                .orElseGet(() -> new Attestation.CompositeEvidence(TeeEvidence.of(attester.evidence(RuntimeData.legacyReportData(challenge.nonce(),
                        jwk, challenge.hash()), challenge.extraParams())).toJson(), Optional.empty()));
        Attestation attestation = new Attestation(initData.map(body -> new Attestation.InitData("toml", body)),
                new Attestation.Runtime(challenge.nonce(), jwk), composite);
        HttpResponse<byte[]> t = send(HttpRequest.newBuilder(broker().resolve(Protocol.ATTEST)).header("Cookie", cookie)
                .POST(body(attestation.toJson())), "broker attest", false);
        String token = TokenResponse.fromJson(tree(t.body(), "broker attest")).token();
        if (token.isEmpty()) {
            throw AttestationException.of(Reason.IO_ERROR, "broker attest: the answer has no token");
        }
        return new Session(cookie, token, key);
    }

    /**
     * The evidence as guest-components' attester makes and writes it; none when this attester's
     * evidence does not fit that form (a TPM told to quote in this project's form, 64 bytes with an
     * ECC key, say): the guest then attests in this project's own form, whose binding only this
     * project's broker reads.
     */
    private static Optional<Attestation.CompositeEvidence> guestComponents(TrusteeEvidence shape, Attester attester, Challenge challenge,
                                                                          JsonNode jwk) {
        try {
            Evidence ev = attester.evidence(shape.reportData(RuntimeData.digest(challenge.nonce(), jwk, "", challenge.hash())),
                    challenge.extraParams());
            return Optional.of(new Attestation.CompositeEvidence(shape.write(ev), Optional.of("")));
        } catch (AttestationException doesNotFit) {
            return Optional.empty();
        }
    }

    /** The resource at {@code repo/type/tag}, unwrapped with the session's key. */
    public Secret resource(Session s, String repoTypeTag) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(broker().resolve(Protocol.RESOURCE + repoTypeTag)).header("Cookie", s.cookie).GET(),
                "broker resource " + repoTypeTag, true);
        return unwrap(new String(r.body(), StandardCharsets.UTF_8), s.key);
    }

    /** Auth, attest and fetch in one: the usual guest call. */
    public Secret get(String tee, Attester attester, String repoTypeTag) {
        return resource(attest(tee, attester), repoTypeTag);
    }

    static Secret unwrap(String flattened, EcdhEs.KeyPair key) {
        try {
            JWEObject jwe = JWEObject.parse(Jwe.compact(flattened));
            if (!JWEAlgorithm.ECDH_ES_A256KW.equals(jwe.getHeader().getAlgorithm())) {
                throw AttestationException.invalid("broker resource", "wrapped with " + jwe.getHeader().getAlgorithm() + ", not ECDH-ES+A256KW");
            }
            jwe.decrypt(key.decrypter());
            byte[] plain = jwe.getPayload().toBytes();
            try {
                return Secret.copyOf(plain);
            } finally {
                java.util.Arrays.fill(plain, (byte) 0);
            }
        } catch (ParseException | JOSEException e) {
            throw AttestationException.invalid("broker resource", "the JWE does not open with this exchange's key: " + e.getMessage());
        }
    }

    static JsonNode publicJwk(EcdhEs.KeyPair key) {
        try {
            return JSON.readTree(key.publicJwk().toJSONString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest.BodyPublisher body(JsonNode n) {
        return HttpRequest.BodyPublishers.ofString(n.toString());
    }

    private URI broker() {
        return brokers.get(Math.floorMod(next.getAndIncrement(), brokers.size()));
    }

    /** Sends one request; {@code resource}: it asks for a resource, whose 404 means there is no such resource (elsewhere: no broker there). */
    private HttpResponse<byte[]> send(HttpRequest.Builder b, String what, boolean resource) {
        HttpRequest req = b.timeout(timeout).header("Content-Type", "application/json").build();
        HttpResponse<byte[]> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw BrokerHttp.unreachable(what, req.uri(), e, proxies);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, what + ": interrupted");
        }
        if (r.body().length > MAX_RESPONSE) {
            throw AttestationException.tooLarge(what + " answer", r.body().length, MAX_RESPONSE);
        }
        if (r.statusCode() != 200) {
            // a refusal's detail names the checks that failed (ErrorBody.checks), so the message does too
            String detail = ErrorBody.parse(r.body()).map(ErrorBody::detail).filter(s -> !s.isEmpty()).orElse("HTTP " + r.statusCode());
            Reason reason = r.statusCode() == 401 || r.statusCode() == 403 ? Reason.REFUSED
                    : r.statusCode() == 404 && resource ? Reason.KEY_NOT_FOUND : r.statusCode() == 429 ? Reason.BUSY : Reason.IO_ERROR;
            throw AttestationException.of(reason, what + " refused (" + r.statusCode() + "): " + detail);
        }
        return r;
    }

    private static Optional<JsonNode> tryTree(byte[] b) {
        try {
            return Optional.ofNullable(JSON.readTree(b));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static JsonNode tree(byte[] b, String what) {
        return tryTree(b).filter(JsonNode::isObject)
                .orElseThrow(() -> AttestationException.of(Reason.IO_ERROR, what + ": the answer is not a JSON object"));
    }
}
