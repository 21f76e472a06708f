// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.testing.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SnpCliTest {
    @TempDir
    static Path state; // one emulated chip for the class (three RSA-4096 keys)
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    /** An emulated report at {@code vmpl} with its certificate table, and the emulator's ARK file: the arguments that verify it. */
    private String[] emulated(int vmpl) throws Exception {
        Path report = tmp.resolve("r.bin");
        Path certs = tmp.resolve("certs.bin");
        assertThat(cli.run("report", "--provider", "snp/emulated", "--state-dir", state.toString(), "--inblob-hex", "ab".repeat(64),
                "--privlevel", Integer.toString(vmpl), "--out", report.toString(), "--auxblob", certs.toString())).as(cli.stderr()).isZero();
        assertThat(cli.run("emulator", "root", "--tee", "snp", "--state-dir", state.toString())).isZero();
        Path root = Files.writeString(tmp.resolve("ark.pem"), cli.stdout());
        assertThat(cli.stderr()).startsWith("ARK sha256 fingerprint: ");
        return new String[] {"verify", "--snp", report.toString(), "--certs", certs.toString(), "--root", root.toString()};
    }

    private String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private String policy(String text) throws Exception {
        return Files.writeString(tmp.resolve("policy"), text).toString();
    }

    @Test
    void anEmulatedReportAtVmpl2VerifiesWithTheEmulatorsArkOnceThePolicyAcceptsVmpl2() throws Exception {
        String[] verify = emulated(2);
        assertThat(cli.run(with(verify, "--report-data", "ab".repeat(64)))).as(cli.stdout()).isEqualTo(1);
        assertThat(cli.stdout()).contains("ok   chain: SEV-VCEK <- SEV-Milan <- ARK-Milan", "ok   policy.report_data: ").endsWith(
                "NOT trusted: policy.vmpl: made at VMPL 2, not among the accepted [0]" + System.lineSeparator());
        assertThat(cli.run(with(verify, "--report-data", "ab".repeat(64), "--policy", policy("vmpl: [0, 2]\n")))).as(cli.stdout()).isZero();
        assertThat(cli.stdout()).endsWith("trusted (Milan)" + System.lineSeparator());
        assertThat(cli.run(with(verify, "--policy", policy("{\"vmpl\": [0]}"), "--json"))).isEqualTo(1);
        assertThat(cli.stdout()).contains("\"product\" : \"Milan\"", "\"vmpl\" : 2", "made at VMPL 2, not among the accepted [0]");
        assertThat(cli.run("verify", "--snp", verify[2], "--certs", verify[4])).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: chain: ").contains("not a trusted ARK");
    }

    @Test
    void aMalformedSnpPolicyIsExit2NamingItsLineAndFieldNeverARequirementDropped() throws Exception {
        String[] verify = emulated(0);
        String m = "\"" + "ab".repeat(48) + "\"";
        // each of these once verified as trusted: a string is not a list, ucode is not a component, "x" is not a number
        assertThat(cli.run(with(verify, "--policy", policy("{\"allow_smt\": true,\n \"measurements\": \"abab\"}")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 2: field 'measurements': must be a list, not the text \"abab\"");
        assertThat(cli.run(with(verify, "--policy", policy("{\"minimum_tcb\": {\n  \"ucode\": 200}}")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 2: field 'minimum_tcb.ucode': is not an SNP TCB component"
                + " [boot_loader, tee, snp, microcode, fmc]");
        assertThat(cli.run(with(verify, "--policy", policy("minimum_tcb:\n  snp: x\n")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 2: field 'minimum_tcb.snp': must be a whole number, not the text \"x\"");
        // and the rest of the ways a field can be wrong
        assertThat(cli.run(with(verify, "--policy", policy("{\"allow_debg\": true}")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 1: unknown field 'allow_debg'");
        assertThat(cli.run(with(verify, "--policy", policy("measurements:\n  - " + m + "\n  - \"abab\"\n")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 3: field 'measurements[1]': must be 48 bytes in hex (96 digits),"
                + " got 2 bytes");
        assertThat(cli.run(with(verify, "--policy", policy("minimum_tcb: {snp: 256}\n")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 1: field 'minimum_tcb.snp': 256 is outside 0..255");
        assertThat(cli.run(with(verify, "--policy", policy("minimum_firmware: \"1.x\"\n")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 1: field 'minimum_firmware': '1.x' is not major.minor");
        assertThat(cli.run(with(verify, "--policy", policy("vmpl: [4]\n")))).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: policy: line 1: field 'vmpl[0]': 4 is outside 0..3");

        // a valid policy still judges: the emulator's TCB meets these, a measurement it does not have fails by name
        String tcb = "minimum_tcb: {boot_loader: 0, tee: 0, snp: 0, microcode: 0, fmc: 0}\nallow_smt: true\n";
        assertThat(cli.run(with(verify, "--policy", policy(tcb)))).as(cli.stdout() + cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("ok   policy.tcb: reported and committed TCB meet ");
        assertThat(cli.run(with(verify, "--policy", policy(tcb + "measurements: [" + m + "]\n")))).isEqualTo(1);
        assertThat(cli.stdout()).contains("FAIL policy.initial_measurement: ");
        assertThat(cli.run(with(verify, "--policy", policy("{\"minimum_tcb\": {\"snp\": 255}}")))).isEqualTo(1);
        assertThat(cli.stdout()).contains("FAIL policy.tcb: reported TCB ");
    }

    @Test
    void aRealMilanReportVerifiesWithItsVcekAndFailsOnDebugUnlessAllowed() {
        String v = Vectors.root().toString();
        String[] args = {"verify", "--snp", v + "/amd-sev-snp/go-sev-guest/attestation.bin", "--certs", v + "/amd-sev-snp/go-sev-guest/vcek.der",
                "--at", "2025-01-01T00:00:00Z"};
        assertThat(cli.run(args)).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: policy.debug: on: the host can read");
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
        // with no certificates and no service to fetch them from, the check that needs them fails and says why
        assertThat(cli.run("verify", "--snp", v + "/amd-sev-snp/go-sev-guest/attestation.bin", "--offline", "--state-dir", tmp.toString()))
                .isEqualTo(Main.ENVIRONMENT); // the check could not be made here, which is not a verdict on the report
        assertThat(cli.stdout()).contains("FAIL certs: no VCEK (a v2 report does not name its product; tried [MILAN, GENOA]): the VCEK of Genoa chip")
                .contains("is not at hand and no service to fetch it from is configured");
        assertThat(cli.run("verify", "--snp", v + "/amd-sev-snp/go-sev-guest/attestation.bin", "--collateral", "x.json")).isEqualTo(2);
        assertThat(cli.run("verify", "--tdx", v + "/intel-tdx/dcap-qvl/tdx_quote_v4.bin", "--offline", "--state-dir", tmp.toString()))
                .isEqualTo(Main.ENVIRONMENT);
        assertThat(cli.stdout()).contains("FAIL collateral: the TCB Info for FMSPC")
                .contains("is not at hand and no service to fetch it from is configured");
        assertThat(cli.run("verify", "--tdx", v + "/intel-tdx/dcap-qvl/tdx_quote_v4.bin", "--offline", "--pcs", "http://127.0.0.1:1"))
                .isEqualTo(2);
        assertThat(cli.stderr()).contains("--offline: contradicts --pcs/--kds");
    }

    @Test
    void policyInitFromAVmpl2ReportAcceptsThatReportAndNoOtherVmpl() throws Exception {
        String[] verify = emulated(2);
        Path policy = tmp.resolve("p.json");
        String[] init = {"policy", "init", "--from", verify[2], "--aux", "certs=" + verify[4], "--root", verify[6], "--out", policy.toString()};
        assertThat(cli.run(init)).as(cli.stdout() + cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("VMPL 2");
        assertThat(Files.readString(policy)).contains("\"vmpl\" : [ 2 ]");
        String[] appraise = {"appraise", verify[2], "--offline", "--aux", "certs=" + verify[4], "--root", verify[6], "--policy", policy.toString()};
        assertThat(cli.run(appraise)).as(cli.stdout() + cli.stderr()).isZero();
        String[] other = emulated(0);
        assertThat(cli.run("appraise", other[2], "--offline", "--aux", "certs=" + other[4], "--root", other[6], "--policy", policy.toString()))
                .as(cli.stdout()).isNotZero();
    }
}
