// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.tee.Tees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI fetching collateral itself, as a relying party without a guest's help: from the emulated
 * PCS and KDS, into its cache; prefetched into a directory and used with no service at all.
 */
class CollateralCliTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();
    private EmulatedServer server;
    private String state;

    @BeforeEach
    void serve() {
        state = tmp.resolve("state").toString();
        server = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ProviderContext.defaults().withStateDir(tmp.resolve("state")),
                Duration.ofDays(1)), EmulatedServer.Faults.none(), line -> { });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Path evidence(String provider, String name) {
        Path out = tmp.resolve(name);
        assertThat(cli.run("report", "--provider", provider, "--state-dir", state, "--inblob-hex", "00".repeat(64), "--out", out.toString()))
                .as(cli.stderr()).isZero();
        return out;
    }

    private Path root(String tee) throws Exception {
        assertThat(cli.run("emulator", "root", "--tee", tee, "--state-dir", state)).isZero();
        return Files.writeString(tmp.resolve(tee + "-root.pem"), cli.stdout());
    }

    @Test
    void aQuoteIsAppraisedWithCollateralTheCliFetchesAndThenWithAPrefetchedDirectoryOffline() throws Exception {
        Path quote = evidence("tdx/emulated", "q.bin");
        Path root = root("tdx");
        Path policy = Files.writeString(tmp.resolve("p.json"), "{\"id\": \"p\", \"tees\": [\"tdx\"], \"allow_debug\": true}");
        String pcs = server.uri().toString();
        assertThat(cli.run("verify", "--tdx", quote.toString(), "--pcs", pcs, "--root", root.toString(), "--state-dir", state))
                .as(cli.stdout() + cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("ok   collateral.tcb_info: ");
        assertThat(cli.run("appraise", quote.toString(), "--pcs", pcs, "--root", root.toString(), "--policy", policy.toString(),
                "--state-dir", state)).as(cli.stdout() + cli.stderr()).isNotEqualTo(2);
        assertThat(cli.stdout()).contains("ok   collateral: from the collateral service: TCB Info cache (fetched ");
        assertThat(server.requests("/tdx/certification/v4/tcb")).as("appraise found verify's copy in the cache").isEqualTo(1);

        Path dir = tmp.resolve("airgap");
        assertThat(cli.run("collateral", "fetch", "--tdx", quote.toString(), "--pcs", pcs, "--root", root.toString(), "--out", dir.toString()))
                .as(cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("tdx/tcb-info/", "tdx/qe-identity: fresh until ", "tdx/pck-crl/platform", "tdx/root-ca-crl");
        assertThat(cli.run("collateral", "fetch", "--tdx", quote.toString(), "--pcs", pcs, "--root", root.toString(), "--out", dir.toString(),
                "--json")).as(cli.stderr()).isZero();
        assertThat(JsonSchemas.valid("collateral-fetch", cli.stdout()).get("items")).hasSize(4);
        assertThat(cli.run("collateral", "show", dir.toString())).isZero();
        assertThat(cli.stdout()).contains("tdx/qe-identity  fresh until ").contains("4 item(s) in " + dir);
        server.close();
        assertThat(cli.run("appraise", quote.toString(), "--offline", "--collateral-dir", dir.toString(), "--root", root.toString(),
                "--policy", policy.toString(), "--state-dir", tmp.resolve("elsewhere").toString())).as(cli.stdout() + cli.stderr())
                .isNotEqualTo(2);
        assertThat(cli.stdout()).contains("ok   collateral.tcb_info").contains("from the collateral service: TCB Info directory (fetched ");
        assertThat(cli.run("appraise", quote.toString(), "--offline", "--root", root.toString(), "--policy", policy.toString(),
                "--state-dir", tmp.resolve("empty").toString())).isEqualTo(Main.ENVIRONMENT); // not judgeable here: nothing to fetch from
        assertThat(cli.stdout()).contains("FAIL collateral: the TCB Info for FMSPC")
                .contains("is not at hand and no service to fetch it from is configured");
    }

    @Test
    void anSnpReportIsVerifiedWithTheVcekAndCrlFromKds() throws Exception {
        Path report = evidence("snp/emulated", "r.bin");
        Path root = root("snp");
        String kds = server.uri().toString();
        assertThat(cli.run("verify", "--snp", report.toString(), "--kds", kds, "--root", root.toString(), "--state-dir", state))
                .as(cli.stdout() + cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("ok   chain.revocation: the ASK/ASVK is not revoked", "ok   report.signature");
        Path out = tmp.resolve("certs");
        assertThat(cli.run("snp", "certs", "fetch", "--report", report.toString(), "--kds", kds, "--root", root.toString(), "--out", out.toString(), "--state-dir", state))
                .as(cli.stderr()).isZero();
        assertThat(out.resolve("vcek.der")).isRegularFile();
        assertThat(cli.run("snp", "certs", "fetch", "--report", report.toString(), "--kds", kds, "--root", root.toString(), "--out", out.toString(),
                "--state-dir", state, "--json")).as(cli.stderr()).isZero();
        assertThat(JsonSchemas.valid("snp-certs-fetch", cli.stdout()).get("product").asText()).isEqualTo("Milan");
        assertThat(server.requests("/vcek/v1/Milan/" )).as("the VCEK once, the CRL, the chain; later VCEKs from the cache").isEqualTo(3);
    }
}
