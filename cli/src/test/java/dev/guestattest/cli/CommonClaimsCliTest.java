// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.testing.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every verifier's JSON carries the same "common" claims under the same names, so one policy reads them all. */
class CommonClaimsCliTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    private JsonNode common(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        cli.run(all.toArray(String[]::new));
        JsonNode n = new ObjectMapper().readTree(cli.stdout());
        assertThat(n.get("trusted").asBoolean()).as(cli.stdout()).isTrue();
        return n.get("common");
    }

    @Test
    void tdxCcaCoveAndSnpNameTheSameThingsTheSameWay() throws Exception {
        String state = tmp.resolve("state").toString();
        String reportData = "5a".repeat(64);
        Path quote = tmp.resolve("q.bin");
        assertThat(cli.run("report", "--provider", "tdx/emulated", "--state-dir", state, "--inblob-hex", reportData, "--out", quote.toString()))
                .isZero();
        assertThat(cli.run("emulator", "collateral", "--state-dir", state, "--out", tmp.resolve("col.json").toString())).isZero();
        assertThat(cli.run("emulator", "root", "--state-dir", state)).isZero();
        Path tdxRoot = Files.writeString(tmp.resolve("root.pem"), cli.stdout());
        JsonNode tdx = common("verify", "--tdx", quote.toString(), "--collateral", tmp.resolve("col.json").toString(), "--root", tdxRoot.toString());
        assertThat(tdx.get("tee").asText()).isEqualTo("tdx");
        assertThat(tdx.get("initial_measurement").asText()).hasSize(96);
        assertThat(tdx.get("runtime_registers").fieldNames()).toIterable().containsExactly("rtmr0", "rtmr1", "rtmr2", "rtmr3");
        assertThat(tdx.get("debug").asBoolean()).isFalse();
        assertThat(tdx.get("report_data").asText()).isEqualTo(reportData);

        Path token = tmp.resolve("t.cbor");
        assertThat(cli.run("report", "--provider", "cca/emulated", "--state-dir", state, "--inblob-hex", reportData, "--out", token.toString()))
                .isZero();
        assertThat(cli.run("emulator", "root", "--tee", "cca", "--state-dir", state)).isZero();
        Path cpak = Files.writeString(tmp.resolve("cpak.json"), cli.stdout());
        JsonNode cca = common("verify", "--cca", token.toString(), "--root", cpak.toString());
        assertThat(cca.get("tee").asText()).isEqualTo("cca");
        assertThat(cca.get("runtime_registers").fieldNames()).toIterable().containsExactly("rem0", "rem1", "rem2", "rem3");
        assertThat(cca.get("debug").asBoolean()).as("the emulated platform's lifecycle is secured (0x3000)").isFalse();
        assertThat(cca.has("vmpl")).isFalse();
        assertThat(cca.get("report_data").asText()).isEqualTo(reportData);

        Path cove = tmp.resolve("c.pem");
        assertThat(cli.run("report", "--provider", "cove/emulated", "--state-dir", state, "--inblob-hex", reportData, "--out", cove.toString()))
                .isZero();
        assertThat(cli.run("emulator", "root", "--tee", "cove", "--state-dir", state)).isZero();
        Path dice = Files.writeString(tmp.resolve("dice.pem"), cli.stdout());
        JsonNode cv = common("verify", "--cove", cove.toString(), "--root", dice.toString());
        assertThat(cv.get("tee").asText()).isEqualTo("cove");
        assertThat(cv.get("initial_measurement").asText()).hasSize(96);
        assertThat(cv.get("runtime_registers").fieldNames()).toIterable().containsExactly("rmr0", "rmr1", "rmr2", "rmr3");
        assertThat(cv.get("report_data").asText()).isEqualTo(reportData);

        String v = Vectors.root() + "/amd-sev-snp/go-sev-guest/";
        JsonNode snp = common("verify", "--snp", v + "attestation.bin", "--certs", v + "vcek.der", "--at", "2025-01-01T00:00:00Z", "--allow-debug");
        assertThat(snp.get("tee").asText()).isEqualTo("snp");
        assertThat(snp.get("initial_measurement").asText()).hasSize(96);
        assertThat(snp.get("runtime_registers").size()).isZero();
        assertThat(snp.get("debug").asBoolean()).isTrue();
        assertThat(snp.get("vmpl").asInt()).isZero();
        assertThat(snp.get("report_data").asText()).hasSize(128);

        for (JsonNode c : List.of(tdx, cca, cv, snp)) {
            assertThat(c.fieldNames()).toIterable().isSubsetOf("tee", "initial_measurement", "runtime_registers", "debug", "vmpl", "report_data",
                    "tcb", "signers", "platform_id", "init_data");
        }
        // where each TEE carries an init-data digest, under one name (TDX MRCONFIGID, SNP HOST_DATA, CCA personalization value)
        assertThat(tdx.get("init_data").asText()).hasSize(96);
        assertThat(snp.get("init_data").asText()).hasSize(64);
        assertThat(cca.get("init_data").asText()).hasSize(128);
        assertThat(tdx.get("tcb").get("tee_tcb_svn.0").asInt()).isEqualTo(6);
        assertThat(tdx.get("signers").fieldNames()).toIterable().containsExactly("mrsigner_seam");
        assertThat(snp.get("tcb").fieldNames()).toIterable().containsExactly("boot_loader", "fmc", "microcode", "snp", "tee");
        assertThat(snp.get("signers").fieldNames()).toIterable().containsExactly("author_key", "id_key");
        assertThat(snp.get("platform_id").asText()).hasSize(128);
        assertThat(cca.get("platform_id").asText()).isNotEmpty();
    }
}
