// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.Providers;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's claim, tried: a TEE that exists only as its own declaration ({@link ToyTee} and two
 * service files) is reported, verified with its own options, appraised with its own policy name,
 * and named by the broker under its alias, with no line of the CLI, appraiser or broker written for it.
 */
class SeventhTeeTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    @Test
    void aTeeDeclaredInItsOwnModuleIsReportedVerifiedAndAppraised() throws Exception {
        String state = tmp.resolve("state").toString();
        Path ev = tmp.resolve("toy.bin");
        assertThat(cli.run("report", "--provider", "toy/emulated", "--state-dir", state, "--inblob-hex", "5a".repeat(64), "--out",
                ev.toString())).as(cli.stderr()).isZero();
        Path key = Files.write(tmp.resolve("key"), ToyTee.KEY.toArray());
        assertThat(cli.run("verify", "--toy", ev.toString(), "--key", key.toString(), "--report-data", "5a".repeat(64))).as(cli.stdout())
                .isZero();
        assertThat(cli.stdout()).contains("ok   toy.mac: made with the key", "ok   policy.report_data: equals the expected value");
        Path wrong = Files.write(tmp.resolve("wrong"), new byte[32]);
        assertThat(cli.run("verify", "--toy", ev.toString(), "--key", wrong.toString())).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: toy.mac");
        // its required option, and its options given to another TEE, are bad input, never ignored
        assertThat(cli.run("verify", "--toy", ev.toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("--key: is required for --toy");
        assertThat(cli.run("verify", "--cove", ev.toString(), "--key", key.toString(), "--root", key.toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("--key: applies to [--toy], not --cove");

        assertThat(Providers.discover().byName("toy/emulated").emulated()).isTrue();
        var a = Appraiser.discover().appraise(Evidence.of(Bytes.of(Files.readAllBytes(ev)), Map.of("key", ToyTee.KEY)),
                AppraisalContext.of(Policy.parse(("{\"id\": \"t\", \"tees\": [\"toy\"], \"reference_values\": {\"initial_measurement\": [\""
                        + Bytes.of(dev.guestattest.core.mr.HashAlgorithm.SHA384.hash("TOY1".getBytes(StandardCharsets.US_ASCII))).hex()
                        + "\"]}}").getBytes(StandardCharsets.UTF_8)), Instant.now()));
        assertThat(a.format()).isEqualTo("toy");
        assertThat(a.affirming()).as(a.checks().toString()).isTrue();
        assertThat(Tees.discover().byName("t", "toy-tee").name()).isEqualTo("toy");
    }

    @Test
    void theBrokerNamesItByItsAliasAndRefusesItsVerifierOnlyPartFromAGuest() throws Exception {
        try (LoopbackBroker broker = LoopbackBroker.start(tmp)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> auth = http.send(HttpRequest.newBuilder(URI.create(broker.uri() + "/kbs/v0/auth"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"0.4.0\", \"tee\": \"toy-tee\", \"extra-params\": {}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(auth.statusCode()).as(auth.body()).isEqualTo(200);
            String cookie = auth.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
            String nonce = new com.fasterxml.jackson.databind.ObjectMapper().readTree(auth.body()).get("nonce").asText();
            String evidence = java.util.Base64.getEncoder().encodeToString(ToyTee.evidence(new byte[64], ToyTee.KEY.toArray()));
            String key = java.util.Base64.getEncoder().encodeToString(ToyTee.KEY.toArray());
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            String jwk = new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                    (java.security.interfaces.ECPublicKey) g.generateKeyPair().getPublic()).build().toJSONString();
            HttpResponse<String> attest = http.send(HttpRequest.newBuilder(URI.create(broker.uri() + "/kbs/v0/attest"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").header("Cookie", cookie)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"runtime-data\": {\"nonce\": \"" + nonce + "\", \"tee-pubkey\": " + jwk
                            + "}, \"tee-evidence\": {\"primary_evidence\": {\"evidence\": \""
                            + evidence + "\", \"aux\": {\"key\": \"" + key + "\"}}}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(attest.statusCode()).as(attest.body()).isEqualTo(400);
            assertThat(attest.body()).contains("tee-evidence.aux.key is a trust anchor");
        }
    }
}
