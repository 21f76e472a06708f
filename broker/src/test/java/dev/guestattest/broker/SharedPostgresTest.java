// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.keys.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two brokers on one PostgreSQL: a client's auth on one, its attest on the other, its resource on the first. */
class SharedPostgresTest {
    @TempDir
    static Path tees;
    @TempDir
    static Path state;
    static PostgresServer pg;
    static BrokerFixture a;
    static BrokerFixture b;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        a = new BrokerFixture(tees, state, pg.url());
        b = new BrokerFixture(tees, state, pg.url());
        assertThat(a.uri).isNotEqualTo(b.uri);
        assertThat(a.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        assertThat(b.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"test/*/*\", \"status\": \"warning\"}]}").status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void authOnOneAttestOnTheOtherReleaseOnTheFirst() {
        assertThat(a.admin("POST", "/kbs/v0/resource/test/disk/shared", "set on A").status()).isEqualTo(200);
        KbsClient both = new KbsClient(List.of(a.uri, b.uri), Duration.ofSeconds(10));
        long attestsOnB = count(b, "attest");
        long authsOnA = count(a, "auth");
        Secret s = both.get("tdx", a.attester("tdx/emulated"), "test/disk/shared");
        String got = s.apply(x -> new String(x, StandardCharsets.UTF_8));
        assertThat(got).isEqualTo("set on A");
        assertThat(count(a, "auth")).isEqualTo(authsOnA + 1);
        assertThat(count(b, "attest")).isEqualTo(attestsOnB + 1);
        // B's token reads on A too: they share the token key through the store
        KbsClient.Session session = new KbsClient(b.uri, Duration.ofSeconds(10)).attest("cove", a.attester("cove/emulated"));
        assertThat(a.call("GET", "/kbs/v0/resource/test/disk/shared", null, Optional.of(session.token()), Optional.empty()).status())
                .isEqualTo(200);
    }

    @Test
    void oneAnswerRacedToBothBrokersIsAcceptedOnce() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(a.uri.resolve("/kbs/v0/auth"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tee\": \"tdx\"}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String nonce = BrokerFixture.JSON.readTree(r.body()).get("nonce").asText();
        var kpg = java.security.KeyPairGenerator.getInstance("EC");
        kpg.initialize(256);
        var jwk = RcarFlowTest.jwk(kpg.generateKeyPair());
        var ev = a.attester("tdx/emulated").evidence(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(nonce, jwk,
                dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384));
        var body = BrokerFixture.JSON.createObjectNode();
        body.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", jwk);
        var p = body.putObject("tee-evidence").putObject("primary_evidence");
        p.put("evidence", java.util.Base64.getEncoder().encodeToString(ev.bytes().toArray()));
        p.putObject("aux").put("collateral", java.util.Base64.getEncoder().encodeToString(a.collateral.toArray()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> tries = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                BrokerFixture target = i % 2 == 0 ? a : b;
                tries.add(() -> target.call("POST", "/kbs/v0/attest", body.toString(), Optional.empty(), Optional.of(cookie)).status());
            }
            int ok = 0;
            for (Future<Integer> f : pool.invokeAll(tries, 60, TimeUnit.SECONDS)) {
                ok += f.get() == 200 ? 1 : 0;
            }
            assertThat(ok).as("one nonce, one accepted answer across both brokers").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long count(BrokerFixture f, String endpoint) {
        String m = f.call("GET", "/metrics", null, Optional.empty(), Optional.empty()).body();
        return m.lines().filter(l -> l.startsWith("guestattest_broker_http_requests_total{endpoint=\"" + endpoint + "\",status=\"200\"}"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
