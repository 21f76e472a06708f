package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.testing.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnpCliTest {
    @TempDir
    static Path state; // one emulated chip for the class (three RSA-4096 keys)
    @TempDir
    Path tmp;
    private final CliRun cli = new CliRun();

    @BeforeEach
    void capture() {
        cli.capture();
    }

    @AfterEach
    void restore() {
        cli.restore();
    }

    @Test
    void anEmulatedReportAtVmpl2VerifiesWithTheEmulatorsArk() throws Exception {
        Path report = tmp.resolve("r.bin");
        Path certs = tmp.resolve("certs.bin");
        assertThat(cli.run("report", "--provider", "snp/emulated", "--state-dir", state.toString(), "--inblob-hex", "ab".repeat(64),
                "--privlevel", "2", "--out", report.toString(), "--auxblob", certs.toString())).as(cli.stderr()).isZero();
        assertThat(cli.run("emulator", "root", "--tee", "snp", "--state-dir", state.toString())).isZero();
        Path root = Files.writeString(tmp.resolve("ark.pem"), cli.stdout());
        assertThat(cli.stderr()).startsWith("ARK sha256 fingerprint: ");
        assertThat(cli.run("verify", "--snp", report.toString(), "--certs", certs.toString(), "--root", root.toString(),
                "--report-data", "ab".repeat(64))).as(cli.stdout()).isZero();
        assertThat(cli.stdout()).contains("ok   chain: SEV-VCEK <- SEV-Milan <- ARK-Milan", "ok   report_data: ").endsWith("trusted (Milan)"
                + System.lineSeparator());
        Files.writeString(tmp.resolve("policy.json"), "{\"vmpl\": 0}");
        assertThat(cli.run("verify", "--snp", report.toString(), "--certs", certs.toString(), "--root", root.toString(), "--policy",
                tmp.resolve("policy.json").toString(), "--json")).isEqualTo(1);
        assertThat(cli.stdout()).contains("\"product\" : \"Milan\"", "\"vmpl\" : 2", "made at VMPL 2, expected 0");
        assertThat(cli.run("verify", "--snp", report.toString(), "--certs", certs.toString())).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: chain: ").contains("not a trusted ARK");
    }

    @Test
    void aRealMilanReportVerifiesWithItsVcekAndFailsOnDebugUnlessAllowed() {
        String v = Vectors.root().toString();
        String[] args = {"verify", "--snp", v + "/amd-sev-snp/go-sev-guest/attestation.bin", "--certs", v + "/amd-sev-snp/go-sev-guest/vcek.der",
                "--at", "2025-01-01T00:00:00Z"};
        assertThat(cli.run(args)).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: policy.debug: debug allowed");
        String[] lenient = java.util.Arrays.copyOf(args, args.length + 1);
        lenient[args.length] = "--allow-debug";
        assertThat(cli.run(lenient)).isZero();
    }

    @Test
    void deriveKeyWritesAnOwnerOnlyFileAndRefusesBadInput() throws Exception {
        Path key = tmp.resolve("k.bin");
        assertThat(cli.run("snp", "derive-key", "--provider", "snp/emulated", "--state-dir", state.toString(), "--fields",
                "measurement,policy", "--out", key.toString())).as(cli.stderr()).isZero();
        assertThat(Files.readAllBytes(key)).hasSize(32);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(cli.stdout()).doesNotContain(java.util.HexFormat.of().formatHex(Files.readAllBytes(key)));
        assertThat(cli.run("snp", "derive-key", "--provider", "snp/emulated", "--state-dir", state.toString(), "--fields", "colour",
                "--out", key.toString())).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --fields: 'colour'; known: policy, image, family, measurement, svn, tcb");
        assertThat(cli.run("snp", "derive-key", "--provider", "snp/emulated", "--state-dir", state.toString(), "--vmpl", "4", "--out",
                key.toString())).isEqualTo(2);
        assertThat(cli.run("snp", "derive-key", "--provider", "tdx/emulated", "--state-dir", state.toString(), "--out", key.toString()))
                .isEqualTo(3);
        assertThat(cli.stderr()).contains("tdx/emulated cannot derive keys");
    }

    @Test
    void verifyRejectsMixedOrMissingOptions() {
        String v = Vectors.root().toString();
        assertThat(cli.run("verify", "--snp", v + "/amd-sev-snp/go-sev-guest/attestation.bin")).isEqualTo(2);
        assertThat(cli.stderr()).contains("SNP needs --certs");
        assertThat(cli.run("verify", "--snp", v + "/amd-sev-snp/go-sev-guest/attestation.bin", "--collateral", "x.json")).isEqualTo(2);
        assertThat(cli.run("verify", "--tdx", v + "/intel-tdx/dcap-qvl/tdx_quote_v4.bin")).isEqualTo(2);
        assertThat(cli.stderr()).contains("needs --collateral FILE|DIR or --pcs URL");
    }
}
