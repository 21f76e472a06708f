// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.keys.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The RCAR flow on loopback for every emulated TEE, and each way a guest can be refused. */
class RcarFlowTest {
    @TempDir
    static Path tees;
    @TempDir
    Path tmp;
    BrokerFixture f;

    @BeforeEach
    void start() {
        f = new BrokerFixture(tees, tmp, "store");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void policies() {
        var set = f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY);
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        // the emulators' measurements are not referenced: their results warn; 'test' resources allow a warning
        var rp = f.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"test/*/*\", \"status\": \"warning\"},"
                + " {\"path\": \"prod/*/*\"}]}");
        assertThat(rp.status()).as(rp.body()).isEqualTo(200);
    }

    private static String text(Secret s) {
        return s.apply(b -> new String(b, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tdx/emulated", "snp/emulated", "cca/emulated", "cove/emulated"})
    void everyEmulatedTeeAttestsAndReceivesItsSecret(String provider) {
        policies();
        String tee = provider.substring(0, provider.indexOf('/'));
        assertThat(f.admin("POST", "/kbs/v0/resource/test/key/" + tee, "disk key of " + tee).status()).isEqualTo(200);
        KbsClient client = f.client();
        KbsClient.Session s = client.attest(tee, f.attester(provider));
        Secret secret = client.resource(s, "test/key/" + tee);
        assertThat(text(secret)).isEqualTo("disk key of " + tee);
        assertThat(secret.toString()).doesNotContain("disk key");
        // the token alone (bearer) reads it too, wrapped to the same key
        assertThat(f.call("GET", "/kbs/v0/resource/test/key/" + tee, null, Optional.of(s.token()), Optional.empty()).json().has("ciphertext"))
                .isTrue();
        // a warning does not read production resources
        assertThat(f.admin("POST", "/kbs/v0/resource/prod/key/" + tee, "prod").status()).isEqualTo(200);
        assertThatThrownBy(() -> client.resource(s, "prod/key/" + tee)).isInstanceOf(AttestationException.class)
                .hasMessageContaining("403").hasMessageContaining("does not let a warning " + tee + " result read prod/key/" + tee);
    }

    @Test
    void referenceValuesMakeTheResultAffirmingAndProductionReadable() throws Exception {
        policies();
        f.admin("POST", "/kbs/v0/resource/prod/disk/root", "luks passphrase");
        // learn the emulated TD's measurements through /appraise, as an operator would from a golden image
        KbsClient.Attester att = f.attester("tdx/emulated");
        var ev = att.evidence(dev.guestattest.core.codec.Bytes.zeros(64));
        ObjectNode req = BrokerFixture.JSON.createObjectNode().put("format", "tdx")
                .put("evidence", java.util.Base64.getEncoder().encodeToString(ev.bytes().toArray()));
        // no collateral: the broker fetches it from the (emulated) PCS
        BrokerFixture.Answer appraised = f.call("POST", "/appraise", req.toString(), Optional.empty(), Optional.empty());
        assertThat(appraised.status()).as(appraised.body()).isEqualTo(200);
        JsonNode common = appraised.json().get("common");
        assertThat(appraised.json().get("status").asText()).isEqualTo("warning");
        assertThat(appraised.json().get("ear").asText()).contains(".");
        String rv = "{\"reference_values\": [{\"tee\": \"tdx\", \"claim\": \"initial_measurement\", \"value\": \""
                + common.get("initial_measurement").asText() + "\", \"added_by\": \"golden-image-build\", \"added_at\": \"2026-11-01T00:00:00Z\"}]}";
        assertThat(f.admin("POST", "/kbs/v0/reference-value", rv).status()).isEqualTo(200);
        Secret s = f.client().get("tdx", f.attester("tdx/emulated"), "prod/disk/root");
        assertThat(text(s)).isEqualTo("luks passphrase");
        assertThat(f.broker.audit(10)).anySatisfy(e -> assertThat(e.outcome()).isEqualTo("affirming"));
    }

    @Test
    void resourceRulesCanNameTheWorkloadsThatMayReadAPath() {
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        String cove = dev.guestattest.cove.emulator.EmulatedTsm.open(f.ctx).read("initial").hex();
        var rp = f.admin("POST", "/kbs/v0/resource-policy", "rules:\n  - {path: \"app/*/*\", status: warning, initial_measurement: [\"" + cove
                + "\"]}\n  - {path: \"other/*/*\", status: warning, initial_measurement: [\"" + "00".repeat(48) + "\"]}\n");
        assertThat(rp.status()).as(rp.body()).isEqualTo(200);
        f.admin("POST", "/kbs/v0/resource/app/db/pw", "for this workload");
        f.admin("POST", "/kbs/v0/resource/other/db/pw", "for another workload");
        KbsClient client = f.client();
        KbsClient.Session s = client.attest("cove", f.attester("cove/emulated"));
        assertThat(text(client.resource(s, "app/db/pw"))).isEqualTo("for this workload");
        assertThat(f.call("GET", "/kbs/v0/resource/app/db/pw", null, Optional.of(s.token()), Optional.empty()).status())
                .as("the token carries the measurement too").isEqualTo(200);
        assertThatThrownBy(() -> client.resource(s, "other/db/pw")).hasMessageContaining("403");
        assertThat(f.call("GET", "/kbs/v0/resource/other/db/pw", null, Optional.of(s.token()), Optional.empty()).status()).isEqualTo(403);
    }

    @Test
    void aFreshBrokerReleasesNothingUntilAPolicyIsSet() {
        f.admin("POST", "/kbs/v0/resource/test/key/a", "x");
        assertThatThrownBy(() -> f.client().get("tdx", f.attester("tdx/emulated"), "test/key/a")).hasMessageContaining("403")
                .hasMessageContaining("no attestation policy is set");
    }

    /** An attest body as a guest would send it, for a session and key of our choosing. */
    private ObjectNode attestBody(String nonce, JsonNode jwk, dev.guestattest.core.verify.Evidence ev) {
        ObjectNode b = BrokerFixture.JSON.createObjectNode();
        b.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", jwk);
        ObjectNode p = b.putObject("tee-evidence").putObject("primary_evidence");
        p.put("evidence", java.util.Base64.getEncoder().encodeToString(ev.bytes().toArray()));
        ev.aux().forEach((k, v) -> p.with("aux").put(k, java.util.Base64.getEncoder().encodeToString(v.toArray())));
        return b;
    }

    private record Opened(String cookie, String nonce) {
    }

    private Opened auth(String tee) {
        var r = f.call("POST", "/kbs/v0/auth", "{\"version\": \"0.4.0\", \"tee\": \"" + tee + "\", \"extra-params\": {}}", Optional.empty(),
                Optional.empty());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("extra-params").get("selected-hash-algorithm").asText()).isEqualTo("sha384");
        return new Opened(null, r.json().get("nonce").asText());
    }

    @Test
    void replaysTamperingAndForeignKeysAreRefusedAuditedAndReleaseNothing() throws Exception {
        policies();
        f.admin("POST", "/kbs/v0/resource/test/key/x", "secret");
        var http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, String[]> open = tee -> {
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/auth"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tee\": \"" + tee + "\"}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                String cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
                return new String[] {cookie, BrokerFixture.JSON.readTree(r.body()).get("nonce").asText()};
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        var keyA = java.security.KeyPairGenerator.getInstance("EC");
        keyA.initialize(256);
        JsonNode jwkA = jwk(keyA.generateKeyPair());
        JsonNode jwkB = jwk(keyA.generateKeyPair());
        KbsClient.Attester att = f.attester("tdx/emulated");

        // an honest attestation
        String[] s1 = open.apply("tdx");
        var ev1 = att.evidence(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(s1[1], jwkA,
                dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384));
        String body1 = attestBody(s1[1], jwkA, ev1).toString();
        assertThat(f.call("POST", "/kbs/v0/attest", body1, Optional.empty(), Optional.of(s1[0])).status()).isEqualTo(200);
        // the same answer again on the same session: the nonce is spent
        var again = f.call("POST", "/kbs/v0/attest", body1, Optional.empty(), Optional.of(s1[0]));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.json().get("detail").asText()).contains("nonce was already used");

        // the old evidence in a new session (its report data binds the old nonce): replay
        String[] s2 = open.apply("tdx");
        var replay = f.call("POST", "/kbs/v0/attest", attestBody(s2[1], jwkA, ev1).toString(), Optional.empty(), Optional.of(s2[0]));
        assertThat(replay.status()).isEqualTo(401);
        // its report data binds the old nonce, so the binding check refuses it before the used-evidence check would
        assertThat(replay.json().get("detail").asText()).containsAnyOf("policy.report_data", "presented before");
        assertThat(f.call("GET", "/kbs/v0/resource/test/key/x", null, Optional.empty(), Optional.of(s2[0])).status()).isEqualTo(401);

        // fresh evidence bound to key A, but the runtime data names key B: the release would go to B
        String[] s3 = open.apply("tdx");
        var evA = att.evidence(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(s3[1], jwkA,
                dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384));
        var foreign = f.call("POST", "/kbs/v0/attest", attestBody(s3[1], jwkB, evA).toString(), Optional.empty(), Optional.of(s3[0]));
        assertThat(foreign.status()).isEqualTo(401);
        assertThat(foreign.json().get("detail").asText()).contains("contraindicated").contains("policy.report_data");

        // a nonce from another session
        String[] s4 = open.apply("tdx");
        String[] s5 = open.apply("tdx");
        var evOther = att.evidence(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(s5[1], jwkA,
                dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384));
        var crossed = f.call("POST", "/kbs/v0/attest", attestBody(s5[1], jwkA, evOther).toString(), Optional.empty(), Optional.of(s4[0]));
        assertThat(crossed.status()).isEqualTo(401);
        assertThat(crossed.json().get("detail").asText()).contains("not this session's nonce");

        // tampered evidence
        String[] s6 = open.apply("tdx");
        var ev6 = att.evidence(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(s6[1], jwkA,
                dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384));
        byte[] bent = ev6.bytes().toArray();
        bent[700] ^= 1;
        var tampered = f.call("POST", "/kbs/v0/attest", attestBody(s6[1], jwkA, new dev.guestattest.core.verify.Evidence(Optional.empty(),
                dev.guestattest.core.codec.Bytes.of(bent), ev6.aux())).toString(), Optional.empty(), Optional.of(s6[0]));
        assertThat(tampered.status()).isEqualTo(401);

        // a guest may not bring its own trust anchor
        String[] s7 = open.apply("cca");
        ObjectNode withCpak = attestBody(s7[1], jwkA, att.evidence(dev.guestattest.core.codec.Bytes.zeros(64)));
        withCpak.with("tee-evidence").with("primary_evidence").with("aux").put("cpak", "AAAA");
        var anchored = f.call("POST", "/kbs/v0/attest", withCpak.toString(), Optional.empty(), Optional.of(s7[0]));
        assertThat(anchored.status()).isEqualTo(400);
        assertThat(anchored.json().get("detail").asText()).contains("trust anchor");

        // no cookie, unknown cookie
        assertThat(f.call("POST", "/kbs/v0/attest", body1, Optional.empty(), Optional.empty()).status()).isEqualTo(401);
        assertThat(f.call("POST", "/kbs/v0/attest", body1, Optional.empty(), Optional.of("kbs-session-id=nope")).status()).isEqualTo(401);

        var audit = f.broker.audit(100);
        assertThat(audit.stream().filter(e -> e.outcome().equals("refused-401")).count()).isGreaterThanOrEqualTo(7);
        assertThat(audit.stream().filter(e -> e.event().equals("resource") && e.outcome().equals("released"))).isEmpty();
        assertThat(audit.toString()).doesNotContain("secret\"").doesNotContain(s1[1]);
    }

    @Test
    void anExpiredSessionIsRefused() throws Exception {
        f.close();
        f = new BrokerFixture(tees, tmp, "store2", c -> c.withSessionLifetime(java.time.Duration.ofMillis(200)));
        f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY);
        KbsClient.Attester slow = rd -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return f.attester("tdx/emulated").evidence(rd);
        };
        assertThatThrownBy(() -> f.client().attest("tdx", slow)).isInstanceOf(AttestationException.class)
                .hasMessageContaining("401").hasMessageContaining("session expired")
                .satisfies(e -> assertThat(((AttestationException) e).reason()).isEqualTo(Reason.REFUSED));
    }

    @Test
    void authIsRateLimitedPerClientAndExpiredSessionsArePurged() throws Exception {
        f.close();
        f = new BrokerFixture(tees, tmp, "store3", c -> c.withAuthRate(2).withSessionLifetime(java.time.Duration.ofMillis(300)));
        int limited = 0;
        for (int i = 0; i < 12; i++) {
            int status = f.call("POST", "/kbs/v0/auth", "{\"tee\": \"tdx\"}", Optional.empty(), Optional.empty()).status();
            assertThat(status).isIn(200, 429);
            limited += status == 429 ? 1 : 0;
        }
        assertThat(limited).as("2/s with a burst of 4: most of 12 quick requests wait").isGreaterThanOrEqualTo(6);
        assertThat(f.call("POST", "/kbs/v0/auth", "{\"tee\": \"tdx\"}", Optional.empty(), Optional.empty()).json().get("detail").asText())
                .contains("auth requests per second from this client");
        Thread.sleep(1_200);
        assertThat(f.call("POST", "/kbs/v0/auth", "{\"tee\": \"tdx\"}", Optional.empty(), Optional.empty()).status()).isEqualTo(200);
        assertThat(sessionRows()).as("the expired sessions were purged; the new one remains").isEqualTo(1);
    }

    private long sessionRows() throws Exception {
        var m = dev.guestattest.broker.store.Database.class.getDeclaredMethod("connection");
        m.setAccessible(true);
        try (var c = (java.sql.Connection) m.invoke(f.broker.database()); var r = c.createStatement().executeQuery("SELECT COUNT(*) FROM sessions")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void theAdminApiRefusesAGuestsTokenAndTheTokenRefusesTampering() {
        policies();
        KbsClient.Session s = f.client().attest("cove", f.attester("cove/emulated"));
        var asGuest = f.call("POST", "/kbs/v0/resource/test/key/evil", "mine now", Optional.of(s.token()), Optional.empty());
        assertThat(asGuest.status()).isEqualTo(401);
        assertThat(asGuest.json().get("detail").asText()).contains("admin token").contains("not a guest's attestation token");
        assertThat(f.call("POST", "/kbs/v0/attestation-policy", "{}", Optional.of(s.token()), Optional.empty()).status()).isEqualTo(401);
        assertThat(f.call("GET", "/kbs/v0/audit", null, Optional.empty(), Optional.empty()).status()).isEqualTo(401);
        assertThat(f.broker.resourcePaths()).doesNotContain("test/key/evil");
        // a token with one changed character is not a token
        f.admin("POST", "/kbs/v0/resource/test/key/cove", "k");
        String t = s.token();
        String forged = t.substring(0, t.length() - 3) + (t.charAt(t.length() - 3) == 'A' ? 'B' : 'A') + t.substring(t.length() - 2);
        assertThat(f.call("GET", "/kbs/v0/resource/test/key/cove", null, Optional.of(forged), Optional.empty()).status()).isEqualTo(401);
        // a policy with a typo is refused at the door with its line
        var typo = f.admin("POST", "/kbs/v0/attestation-policy", "id: p\ntees: [tdx]\nalow_debug: true\n");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("detail").asText()).contains("line 3").contains("alow_debug");
        assertThat(f.admin("GET", "/kbs/v0/audit?limit=5", null).json().size()).isEqualTo(5);
    }

    @Test
    void metricsHealthAndBadInput() {
        policies();
        f.client().attest("cca", f.attester("cca/emulated"));
        assertThat(f.call("GET", "/healthz", null, Optional.empty(), Optional.empty()).body()).contains("ok");
        String metrics = f.call("GET", "/metrics", null, Optional.empty(), Optional.empty()).body();
        assertThat(metrics).contains("guestattest_broker_attestations_total{status=\"warning\",tee=\"cca\"} 1.0")
                .contains("guestattest_broker_http_requests_total{endpoint=\"attest\",status=\"200\"} 1.0")
                .contains("guestattest_broker_attest_duration_seconds_bucket");
        assertThat(f.call("POST", "/kbs/v0/auth", "{\"tee\": \"sgx\"}", Optional.empty(), Optional.empty()).json().get("detail").asText())
                .contains("tee 'sgx' (Intel SGX) is a kbs-types TEE this broker has no verifier for");
        assertThat(f.call("POST", "/kbs/v0/auth", "not json", Optional.empty(), Optional.empty()).status()).isEqualTo(400);
        assertThat(f.call("GET", "/kbs/v0/resource/../etc/passwd", null, Optional.empty(), Optional.empty()).status()).isIn(400, 401, 404);
        assertThat(f.admin("POST", "/kbs/v0/resource/a/b", "x").json().get("detail").asText()).contains("REPOSITORY/TYPE/TAG");
        assertThat(declaredTooLarge()).startsWith("HTTP/1.1 413");
        assertThat(f.call("GET", "/nope", null, Optional.empty(), Optional.empty()).status()).isEqualTo(404);
        // /appraise signs its EAR with the broker's key: a caller's own trust anchor is refused there too
        var anchored = f.call("POST", "/appraise", "{\"format\": \"cca\", \"evidence\": \"AAAA\", \"aux\": {\"cpak\": \"AAAA\"}}",
                Optional.empty(), Optional.empty());
        assertThat(anchored.status()).isEqualTo(400);
        assertThat(anchored.json().get("detail").asText()).contains("trust anchor");
    }

    /** A request declaring a body over the limit is answered 413 without the body being read (a raw socket: clients stop at the reset). */
    private String declaredTooLarge() {
        try (java.net.Socket so = new java.net.Socket(f.uri.getHost(), f.uri.getPort())) {
            so.setSoTimeout(10_000);
            so.getOutputStream().write(("POST /kbs/v0/resource/a/b/c HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + BrokerFixture.ADMIN
                    + "\r\nContent-Length: " + (5 << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            so.getOutputStream().flush();
            return new java.io.BufferedReader(new java.io.InputStreamReader(so.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode jwk(java.security.KeyPair kp) throws Exception {
        return BrokerFixture.JSON.readTree(new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                (java.security.interfaces.ECPublicKey) kp.getPublic()).build().toJSONString());
    }
}
