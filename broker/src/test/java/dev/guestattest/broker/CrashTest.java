// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.Resources;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker killed with SIGKILL in the middle of writes keeps every write it acknowledged, and its spent nonces stay spent. */
class CrashTest {
    @TempDir
    Path tmp;

    private record Child(Process process, URI uri) {
    }

    private Child start(Path store, Path tees) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), KillableBroker.class.getName(), store.toString(), tees.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the broker's URL").startsWith("http://");
        return new Child(p, URI.create(line.trim()));
    }

    private static HttpResponse<String> send(HttpClient http, URI base, String method, String path, String body, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + BrokerFixture.ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sigkillMidWriteLosesNothingAcknowledgedAndReleasesNothingAfter() throws Exception {
        Path store = tmp.resolve("store");
        Path tees = tmp.resolve("tees");
        Child c = start(store, tees);
        HttpClient http = HttpClient.newHttpClient();
        assertThat(send(http, c.uri(), "POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY, null).statusCode()).isEqualTo(200);
        // one honest attestation before the crash, whose answer is replayed after it
        var auth = send(http, c.uri(), "POST", "/kbs/v0/auth", "{\"tee\": \"tdx\"}", null);
        String cookie = auth.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String nonce = BrokerFixture.JSON.readTree(auth.body()).get("nonce").asText();
        var kpg = java.security.KeyPairGenerator.getInstance("EC");
        kpg.initialize(256);
        var jwk = RcarFlowTest.jwk(kpg.generateKeyPair());
        var ctx = dev.guestattest.core.ProviderContext.defaults().withStateDir(tees);
        byte[] quote;
        try (var s = dev.guestattest.core.ProviderSession.open(java.util.Optional.of("tdx/emulated"), ctx)) {
            quote = s.report(dev.guestattest.core.ReportRequest.of(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(nonce, jwk,
                    dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384).toArray())).outblob().toArray();
        }
        byte[] collateral;
        try (var tdx = dev.guestattest.tdx.emulator.TdxEmulatedProvider.open(ctx)) {
            collateral = dev.guestattest.tdx.emulator.EmulatedCollateral.issue(tdx.platform(), java.time.Instant.now(), Duration.ofDays(1), false,
                    new java.security.SecureRandom()).toDcapQvlJson();
        }
        var body = BrokerFixture.JSON.createObjectNode();
        body.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", jwk);
        var prim = body.putObject("tee-evidence").putObject("primary_evidence");
        prim.put("evidence", java.util.Base64.getEncoder().encodeToString(quote));
        prim.putObject("aux").put("collateral", java.util.Base64.getEncoder().encodeToString(collateral));
        assertThat(send(http, c.uri(), "POST", "/kbs/v0/attest", body.toString(), cookie).statusCode()).isEqualTo(200);

        List<Integer> acked = new CopyOnWriteArrayList<>();
        Thread writer = new Thread(() -> {
            for (int i = 0; ; i++) {
                try {
                    if (send(http, c.uri(), "POST", "/kbs/v0/resource/test/kill/r" + i, "secret number " + i, null).statusCode() == 200) {
                        acked.add(i);
                    }
                } catch (Exception dead) {
                    return;
                }
            }
        });
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (acked.size() < 200 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        c.process().destroyForcibly(); // SIGKILL, mid-write
        assertThat(c.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        writer.join(15_000);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(200);

        Child again = start(store, tees);
        try {
            assertThat(send(http, again.uri(), "GET", "/healthz", null, null).statusCode()).isEqualTo(200);
            // the pre-crash answer, on its session and on a fresh one: refused
            assertThat(send(http, again.uri(), "POST", "/kbs/v0/attest", body.toString(), cookie).statusCode()).isEqualTo(401);
            var auth2 = send(http, again.uri(), "POST", "/kbs/v0/auth", "{\"tee\": \"tdx\"}", null);
            String cookie2 = auth2.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
            var replay = send(http, again.uri(), "POST", "/kbs/v0/attest", body.toString(), cookie2);
            assertThat(replay.statusCode()).isEqualTo(401);
            assertThat(send(http, again.uri(), "GET", "/kbs/v0/resource/test/kill/r0", null, cookie2).statusCode()).isEqualTo(401);
        } finally {
            again.process().destroy();
            again.process().waitFor(20, TimeUnit.SECONDS);
        }
        try (Database db = Database.open(store.toString())) {
            Resources r = new Resources(db, Kek.load(store.resolve("kek")));
            for (int i : acked) {
                assertThat(r.get("test/kill/r" + i)).as("acknowledged r" + i).hasValueSatisfying(v ->
                        assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("secret number " + i));
            }
        }
    }
}
