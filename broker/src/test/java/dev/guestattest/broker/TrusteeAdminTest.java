// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.conformance.GuestComponentsGuest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trustee's admin API as its kbs-client v0.21 calls it (trustee 78962cd4 tools/kbs-client/src/lib.rs):
 * a bearer JWT the operator minted (kbs/config/docker-compose/setup.sh: Ed25519 by openssl, header
 * {@code {"alg":"EdDSA","typ":"JWT"}}, claims {@code iss, sub, aud, role, iat, exp}), the resource as
 * raw bytes, policies as {@code {type, policy_id, policy: base64url}}. The tokens here are made with
 * the JDK alone, as openssl makes them; the forged ones are the attacks a reader of this code would try.
 */
class TrusteeAdminTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path state;
    static BrokerFixture f;
    static KeyPair operator;
    static KeyPair operatorEc;

    @BeforeAll
    static void start() throws Exception {
        operator = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        operatorEc = ec.generateKeyPair();
        f = new BrokerFixture(BrokerFixture.sharedTees(), state, "store", c -> c.toBuilder()
                .adminJwtKeys(List.of(operator.getPublic(), operatorEc.getPublic())).allowSample(true).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String b64u(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A token as setup.sh mints it, valid for {@code life} (negative: expired), signed with {@code alg} by {@code key}. */
    static String token(String alg, PrivateKey key, Duration life) throws Exception {
        long now = Instant.now().getEpochSecond();
        String signingInput = b64u(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8)) + "."
                + b64u(("{\"iss\":\"TrusteeInDocker\",\"sub\":\"admin\",\"aud\":[\"KBS\"],\"role\":\"admin\",\"iat\":" + now + ",\"exp\":"
                + (now + life.toSeconds()) + "}").getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance(alg.equals("EdDSA") ? "Ed25519" : "SHA256withECDSAinP1363Format");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64u(s.sign());
    }

    static int post(String path, String contentType, byte[] body, String bearer) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(f.uri.resolve(path)).header("Content-Type", contentType).header("Authorization", "Bearer " + bearer)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    static byte[] envelope(String type, byte[] policy) {
        ObjectNode n = GuestComponentsGuest.JSON.createObjectNode();
        if (type != null) {
            n.put("type", type).put("policy_id", "default_cpu");
        }
        return n.put("policy", b64u(policy)).toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anOperatorsTokenSetsPoliciesAndAResourceThatAGuestThenReads() throws Exception {
        String admin = token("EdDSA", operator.getPrivate(), Duration.ofDays(3650));
        assertThat(post("/kbs/v0/attestation-policy", "application/json", envelope("guestattest",
                BrokerFixture.POLICY.getBytes(StandardCharsets.UTF_8)), admin)).isEqualTo(200);
        assertThat(post("/kbs/v0/resource-policy", "application/json", envelope(null,
                "rules:\n  - {path: \"admin/*/*\", status: warning}\n".getBytes(StandardCharsets.UTF_8)), admin)).isEqualTo(200);
        assertThat(post("/kbs/v0/resource/admin/disk/key", "application/octet-stream", new byte[] {0, 1, 2, (byte) 0xff}, admin)).isEqualTo(200);

        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        assertThat(g.attest(GuestComponentsAttesters.on(f, "tdx"), Optional.empty(), "").status()).isEqualTo(200);
        GuestComponentsGuest.Reply r = g.resource("admin/disk/key", Optional.empty());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(g.open(r.body())).containsExactly(0, 1, 2, 0xff);
        // an ES256 operator key works the same way
        assertThat(post("/kbs/v0/resource/admin/disk/other", "application/octet-stream", new byte[] {7},
                token("ES256", operatorEc.getPrivate(), Duration.ofMinutes(5)))).isEqualTo(200);
        // the operator's token reads back what it set, as kbs-client get-resource-policy asks (the document, not Trustee's base64 of it)
        HttpResponse<String> policy = HTTP.send(HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/resource-policy")).header("Authorization",
                "Bearer " + admin).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(policy.statusCode()).isEqualTo(200);
        assertThat(policy.body()).isEqualTo("rules:\n  - {path: \"admin/*/*\", status: warning}\n");
        assertThat(HTTP.send(HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/resources")).header("Authorization", "Bearer " + admin).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("admin/disk/key").contains("admin/disk/other");
    }

    @Test
    void aRegoPolicyIsRefusedByNameNotStored() throws Exception {
        String admin = token("EdDSA", operator.getPrivate(), Duration.ofMinutes(5));
        var r = HTTP.send(HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/attestation-policy")).header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofByteArray(envelope("rego", "package policy\ndefault allow = true\n".getBytes(StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("rego").contains("--type guestattest");
    }

    /** Attacks on the admin door: each is refused (401) and nothing is stored. */
    @Test
    void forgedExpiredAndAlgorithmSwappedTokensAreRefused() throws Exception {
        byte[] secret = "must not be stored".getBytes(StandardCharsets.UTF_8);
        KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThat(post("/kbs/v0/resource/forged/a/b", "application/octet-stream", secret, token("EdDSA", stranger.getPrivate(),
                Duration.ofMinutes(5)))).as("another key").isEqualTo(401);
        assertThat(post("/kbs/v0/resource/forged/a/b", "application/octet-stream", secret, token("EdDSA", operator.getPrivate(),
                Duration.ofMinutes(-2)))).as("expired beyond the leeway").isEqualTo(401);
        String unsigned = b64u("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64u(("{\"role\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}").getBytes(StandardCharsets.UTF_8)) + ".";
        assertThat(post("/kbs/v0/resource/forged/a/b", "application/octet-stream", secret, unsigned)).as("alg none").isEqualTo(401);
        // HS256 keyed with the public key's bytes: the classic algorithm confusion
        String input = b64u("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64u(("{\"role\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}").getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(operator.getPublic().getEncoded(), "HmacSHA256"));
        assertThat(post("/kbs/v0/resource/forged/a/b", "application/octet-stream", secret, input + "." + b64u(mac.doFinal(input.getBytes(
                StandardCharsets.US_ASCII))))).as("HS256 with the public key").isEqualTo(401);
        // no exp: jsonwebtoken requires it, and so does this broker
        String noExp = b64u("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + b64u("{\"role\":\"admin\"}".getBytes(
                StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(operator.getPrivate());
        s.update(noExp.getBytes(StandardCharsets.US_ASCII));
        assertThat(post("/kbs/v0/resource/forged/a/b", "application/octet-stream", secret, noExp + "." + b64u(s.sign()))).as("no exp").isEqualTo(401);
        assertThat(f.broker.resourcePaths()).noneMatch(p -> p.startsWith("forged/"));
    }

    /** Trustee's sample TEE, which this broker takes only when told to (--allow-sample), for testing a client. */
    @Test
    void theSampleTeeAttestsOnlyWhereAllowed() throws Exception {
        String admin = token("EdDSA", operator.getPrivate(), Duration.ofMinutes(5));
        assertThat(post("/kbs/v0/attestation-policy", "application/json", ("{\"id\": \"sample\", \"tees\": [\"sample\", \"tdx\", \"snp\","
                + " \"cca\"], \"allow_debug\": true}").getBytes(StandardCharsets.UTF_8), admin)).isEqualTo(200);
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "sample");
        assertThat(g.auth().status()).isEqualTo(200);
        // attester/src/sample: {"svn", "report_data": base64 of the runtime digest as it is}
        GuestComponentsGuest.Reply r = g.attest(digest -> GuestComponentsGuest.JSON.createObjectNode().put("svn", "1")
                .put("report_data", Base64.getEncoder().encodeToString(digest)), Optional.empty(), "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(GuestComponentsGuest.claims(r.json().get("token").asText()).at("/submods/cpu0/ear.veraison.annotated-evidence/sample/svn")
                .asText()).isEqualTo("1");
        GuestComponentsGuest h = new GuestComponentsGuest(f.uri, "sample");
        h.auth();
        GuestComponentsGuest.Reply wrong = h.attest(digest -> GuestComponentsGuest.JSON.createObjectNode().put("svn", "1")
                .put("report_data", Base64.getEncoder().encodeToString(new byte[48])), Optional.empty(), "");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("policy.report_data");
    }
}
