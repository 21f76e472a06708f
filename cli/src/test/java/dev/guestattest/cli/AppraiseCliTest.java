// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.verify.ear.EarVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class AppraiseCliTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    @Test
    void aYamlPolicyRequiresTheEventLogsEventAndTheEarComesAsCbor() throws Exception {
        String state = tmp.resolve("state").toString();
        Path quote = tmp.resolve("q.bin");
        Path col = tmp.resolve("col.json");
        Path root = tmp.resolve("root.pem");
        Path ear = tmp.resolve("ear.cbor");
        assertThat(cli.run("mr", "extend", "rtmr2", "--provider", "tdx/emulated", "--state-dir", state, "--event", "app.jar v1"))
                .as(cli.stderr()).isZero();
        assertThat(cli.run("report", "--provider", "tdx/emulated", "--state-dir", state, "--inblob-hex", "00".repeat(64), "--out", quote.toString()))
                .as(cli.stderr()).isZero();
        assertThat(cli.run("emulator", "collateral", "--state-dir", state, "--out", col.toString())).isZero();
        assertThat(cli.run("emulator", "root", "--state-dir", state)).isZero();
        Files.writeString(root, cli.stdout());
        Path log = tmp.resolve("state/eventlog/rtmr2.cel");
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), """
                id: app
                tees: [tdx]
                allow_debug: true
                event_log:
                  events:
                    - {register: rtmr2, description: "%s"}
                """.formatted("app.jar v1"));
        String[] base = {"appraise", quote.toString(), "--offline", "--aux", "collateral=" + col, "--aux", "eventlog=" + log, "--root", root.toString(),
                "--policy", policy.toString(), "--state-dir", state};
        cli.run(concat(base, "--ear-out", ear.toString(), "--ear-format", "cbor"));
        assertThat(cli.stdout()).contains("ok   policy.event_log: replays to [rtmr2]", "ok   policy.event_log.events: rtmr2:'app.jar v1' took effect");
        assertThat(cli.run("appraiser", "key", "--state-dir", state)).isZero();
        String pem = cli.stdout().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        assertThat(EarVerifier.verifyCbor(Files.readAllBytes(ear), key).get("266").has("tdx")).isTrue();
        // the policy asks for another event: not found, the appraisal does not affirm
        Files.writeString(policy, Files.readString(policy).replace("app.jar v1", "app.jar v2"));
        assertThat(cli.run(base)).isEqualTo(Main.WARNING); // the policy judges a missing event a warning
        assertThat(cli.stdout()).contains("FAIL policy.event_log.events: rtmr2:'app.jar v2' is not among the events");
        assertThat(cli.run(concat(base, "--ear-out", ear.toString(), "--ear-format", "xml"))).isEqualTo(2);
        assertThat(cli.stderr()).contains("--ear-format").contains("jwt or cbor");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void policyInitThenAppraiseAffirmsUntilARegisterMoves() throws Exception {
        String state = tmp.resolve("state").toString();
        String nonce = "ab".repeat(64);
        Path quote = tmp.resolve("q.bin");
        Path col = tmp.resolve("col.json");
        Path root = tmp.resolve("root.pem");
        Path policy = tmp.resolve("policy.json");
        Path ear = tmp.resolve("ear.jwt");
        assertThat(cli.run("report", "--provider", "tdx/emulated", "--state-dir", state, "--inblob-hex", nonce, "--out", quote.toString())).isZero();
        assertThat(cli.run("emulator", "collateral", "--state-dir", state, "--out", col.toString())).isZero();
        assertThat(cli.run("emulator", "root", "--state-dir", state)).isZero();
        Files.writeString(root, cli.stdout());
        assertThat(cli.run("policy", "init", "--from", quote.toString(), "--aux", "collateral=" + col, "--root", root.toString(), "--out",
                policy.toString())).as(cli.stdout() + cli.stderr()).isZero();
        assertThat(Files.readString(policy)).contains("\"allow_debug\" : false", "\"rtmr3\"");
        assertThat(cli.run("appraise", quote.toString(), "--offline", "--aux", "collateral=" + col, "--root", root.toString(), "--policy", policy.toString(),
                "--report-data", nonce, "--ear-out", ear.toString(), "--state-dir", state)).as(cli.stdout()).isZero();
        assertThat(cli.stdout()).contains("ok   policy.runtime_registers.rtmr3: ").contains("affirming (tdx, policy tdx-q.bin)");
        assertThat(cli.run("appraiser", "key", "--state-dir", state)).isZero();
        String pem = cli.stdout().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        assertThat(EarVerifier.verify(Files.readString(ear), key).getJSONObjectClaim("submods")).containsKey("tdx");
        // the workload changes: RTMR2 moves, the same policy no longer affirms
        assertThat(cli.run("mr", "extend", "rtmr2", "--provider", "tdx/emulated", "--state-dir", state, "--event", "other app")).isZero();
        assertThat(cli.run("report", "--provider", "tdx/emulated", "--state-dir", state, "--inblob-hex", nonce, "--out", quote.toString())).isZero();
        assertThat(cli.run("appraise", quote.toString(), "--offline", "--aux", "collateral=" + col, "--root", root.toString(), "--policy", policy.toString(),
                "--json")).isEqualTo(Main.WARNING); // acceptable with reservations: its own exit code, not a failed check
        assertThat(cli.stdout()).contains("\"status\" : \"warning\"", "\"executables\" : 33", "matches no reference value");
        // a store vouches for the new RTMR2 value: affirming again, and the result says who added it
        String rtmr2 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cli.stdout()).get("common").get("runtime_registers")
                .get("rtmr2").asText();
        Path store = Files.writeString(tmp.resolve("rv.json"), "{\"reference_values\": [{\"tee\": \"tdx\", \"claim\": "
                + "\"runtime_registers.rtmr2\", \"value\": \"" + rtmr2 + "\", \"added_by\": \"ci\", \"added_at\": \"2026-11-01T00:00:00Z\"}]}");
        String relaxed = Files.readString(policy).replaceAll("\"rtmr2\" : \\[ \"[0-9a-f]+\" \\],?", "");
        Path policy2 = Files.writeString(tmp.resolve("policy2.json"), relaxed.replace(",\n    }", "\n    }"));
        assertThat(cli.run("appraise", quote.toString(), "--offline", "--aux", "collateral=" + col, "--root", root.toString(), "--policy", policy2.toString(),
                "--reference-values", store.toString())).as(cli.stdout() + cli.stderr() + relaxed).isZero();
        assertThat(cli.stdout()).contains("ok   policy.runtime_registers.rtmr2: matches a reference value added by ci at 2026-11-01T00:00:00Z");
        // a wrong nonce is contraindicated; a policy typo is bad input
        assertThat(cli.run("appraise", quote.toString(), "--offline", "--aux", "collateral=" + col, "--root", root.toString(), "--policy", policy.toString(),
                "--report-data", "00".repeat(64))).isEqualTo(1);
        assertThat(cli.stdout()).contains("FAIL policy.report_data").contains("contraindicated");
        Files.writeString(tmp.resolve("typo.json"), "{\"id\": \"x\",\n \"tees\": [\"tdx\"],\n \"alow_debug\": true}");
        assertThat(cli.run("appraise", quote.toString(), "--policy", tmp.resolve("typo.json").toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("line 3").contains("unknown field 'alow_debug'");
        // policy init refuses evidence that does not verify (no root given: the emulator's is not Intel's)
        assertThat(cli.run("policy", "init", "--from", quote.toString(), "--aux", "collateral=" + col, "--out", tmp.resolve("p2.json").toString()))
                .isEqualTo(1);
        assertThat(Files.exists(tmp.resolve("p2.json"))).isFalse();
    }
}
