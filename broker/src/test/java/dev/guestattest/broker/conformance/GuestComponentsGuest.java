// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * A Confidential Containers guest as guest-components 8246e5e0 behaves, written from its source and
 * not from this project's client: {@code attestation-agent/kbs_protocol/src/client/rcar_client.rs}
 * ({@code build_request}: version 0.4.0 and the supported hash algorithms; {@code get_hash_algorithm}:
 * the challenge's {@code selected-hash-algorithm} or sha384 when {@code extra-params} is not an object
 * naming one; {@code get_composite_evidence}: the JCS runtime data with {@code additional-evidence});
 * {@code kbs_protocol/src/keypair.rs} (an EC P-256 TEE key, {@code {"kty","crv","alg","x","y"}});
 * the cookie store of reqwest's {@code cookie_store(true)}; {@code token_provider}, which sends the
 * token as {@code Authorization: Bearer}. Only the JDK and the JCS reference implementation are used.
 */
public final class GuestComponentsGuest {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final URI kbs;
    final String tee;
    final KeyPair teeKey;
    public final ObjectNode teePubkey;
    public String cookie = "";
    public String nonce = "";
    String hash = "sha384";

    /** One HTTP exchange: its status and body. */
    public record Reply(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    public GuestComponentsGuest(URI kbs, String tee) throws Exception {
        this.kbs = kbs;
        this.tee = tee;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        this.teeKey = g.generateKeyPair();
        this.teePubkey = GuestComponentsJweTest.ecJwk((ECPublicKey) teeKey.getPublic());
    }

    /** {@code POST /kbs/v0/auth}; keeps the cookie, the nonce and the hash the challenge selects. */
    public Reply auth() throws Exception {
        ObjectNode req = JSON.createObjectNode().put("version", "0.4.0").put("tee", tee);
        req.putObject("extra-params").putArray("supported-hash-algorithms").add("sha256").add("sha384").add("sha512").add("sm3");
        HttpResponse<String> r = send(HttpRequest.newBuilder(kbs.resolve("/kbs/v0/auth")).POST(HttpRequest.BodyPublishers.ofString(req.toString())));
        r.headers().allValues("set-cookie").stream().map(c -> c.split(";", 2)[0]).filter(c -> c.startsWith("kbs-session-id=")).findFirst()
                .ifPresent(c -> cookie = c);
        if (r.statusCode() == 200) {
            JsonNode challenge = JSON.readTree(r.body());
            nonce = challenge.get("nonce").asText();
            JsonNode extra = challenge.path("extra-params");
            hash = extra.isObject() && extra.path("selected-hash-algorithm").isTextual() ? extra.get("selected-hash-algorithm").asText().toLowerCase()
                    : "sha384";
        }
        return new Reply(r.statusCode(), r.body());
    }

    /** The runtime data the primary attester binds: H(JCS({"additional-evidence", "nonce", "tee-pubkey"})), not yet padded. */
    public byte[] runtimeDigest(String additionalEvidence) throws Exception {
        ObjectNode runtime = JSON.createObjectNode().put("nonce", nonce).put("additional-evidence", additionalEvidence);
        runtime.set("tee-pubkey", teePubkey);
        byte[] jcs = new JsonCanonicalizer(runtime.toString()).getEncodedUTF8();
        return MessageDigest.getInstance(switch (hash) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> "SHA-384";
        }).digest(jcs);
    }

    /** Zero-padded to 64 bytes, as the TDX, SNP and CCA attesters do. */
    public static byte[] padded(byte[] digest) {
        return Arrays.copyOf(digest, 64);
    }

    /**
     * {@code POST /kbs/v0/attest} with the attester's evidence for the runtime digest, and
     * {@code initData} (TOML) when the agent was started with init-data.
     */
    public Reply attest(Function<byte[], JsonNode> attester, Optional<String> initData, String additionalEvidence) throws Exception {
        JsonNode primary = attester.apply(runtimeDigest(additionalEvidence));
        ObjectNode body = JSON.createObjectNode();
        if (initData.isPresent()) {
            body.putObject("init-data").put("format", "toml").put("body", initData.get());
        } else {
            body.putNull("init-data");
        }
        body.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", teePubkey);
        ObjectNode evidence = body.putObject("tee-evidence");
        evidence.set("primary_evidence", primary);
        evidence.put("additional_evidence", additionalEvidence);
        HttpResponse<String> r = send(HttpRequest.newBuilder(kbs.resolve("/kbs/v0/attest")).header("Cookie", cookie)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        return new Reply(r.statusCode(), r.body());
    }

    /** {@code GET /kbs/v0/resource/PATH}, by the session cookie or, with {@code bearer}, by token alone (the CDH's way). */
    public Reply resource(String path, Optional<String> bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(kbs.resolve("/kbs/v0/resource/" + path)).GET();
        if (bearer.isPresent()) {
            b.header("Authorization", "Bearer " + bearer.get());
        } else {
            b.header("Cookie", cookie);
        }
        HttpResponse<String> r = send(b);
        return new Reply(r.statusCode(), r.body());
    }

    /** The secret in a resource answer, opened as {@code TeeKeyPair::decrypt_response} does. */
    public byte[] open(String jwe) throws Exception {
        return GuestComponentsJweTest.openAsGuestComponents(jwe, teeKey.getPrivate());
    }

    /** The token's claims as {@code Token::new} reads them: part 2, base64url, no signature check. */
    public static JsonNode claims(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    public static JsonNode header(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
