// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.testing.SoftwareAk;
import dev.guestattest.tpm.testing.Swtpm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --tpm}: a quote is trusted only as signed by the pinned AK (--ak), and the CLI
 * says so exactly when appraise --aux ak= does. A real TPM (swtpm, stopped by PID) makes the quote.
 */
class TpmVerifyCliTest {
    @TempDir
    static Path dir;
    private static Swtpm swtpm;
    private static Path genuine;
    private static Path forged;
    private static Path realAk;
    private static Path otherAk;
    private static Path policy;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    @BeforeAll
    static void quotes() throws Exception {
        swtpm = Swtpm.start(dir.resolve("tpm"));
        TpmEvidence e;
        try (ProviderSession s = ProviderSession.open(Optional.of(swtpm.provider()), ProviderContext.defaults().withSetting("tpm.pcrs", "0-7"))) {
            e = TpmEvidence.fromJson(s.report(ReportRequest.of(new byte[64])).outblob().toArray());
        }
        SoftwareAk forger = SoftwareAk.generate();
        genuine = Files.write(dir.resolve("genuine.json"), e.toJson());
        forged = Files.write(dir.resolve("forged.json"), forger.resign(e).toJson());
        realAk = Files.write(dir.resolve("real.ak"), e.akPublic().toArray());
        otherAk = Files.write(dir.resolve("other.ak"), forger.publicArea().toArray());
        policy = Files.writeString(dir.resolve("policy.json"), "{\"id\": \"tpm\", \"tees\": [\"tpm\"], \"allow_debug\": true,"
                + " \"reference_values\": {\"runtime_registers\": {\"pcr0\": [\"" + e.pcrs().get(0).hex() + "\"]}}}");
    }

    @AfterAll
    static void stop() throws Exception {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    private int verify(Path evidence, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "verify";
        args[1] = "--tpm";
        args[2] = evidence.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return cli.run(args);
    }

    /** appraise's answer for the same evidence and pin: exit 0 only when affirming. */
    private int appraise(Path evidence, Optional<Path> ak) {
        String state = dir.resolve("state").toString();
        return ak.map(a -> cli.run("appraise", evidence.toString(), "--aux", "ak=" + a, "--policy", policy.toString(), "--state-dir", state))
                .orElseGet(() -> cli.run("appraise", evidence.toString(), "--policy", policy.toString(), "--state-dir", state));
    }

    /** The attack: a software key's quote, its public area carried in the evidence as if it were the TPM's AK. */
    @Test
    void aQuoteSignedByASoftwareKeyIsNotTrustedWithoutAPinnedAk() {
        assertThat(verify(forged)).as(cli.stderr()).isEqualTo(1);
        assertThat(cli.stdout()).contains("ok   quote.signature") // well-formed and verifying: only its signer is wrong
                .contains("FAIL ak.pinned: no pinned AK: the quote's signer is not known to be the TPM's; give --ak")
                .contains("NOT trusted: ak.pinned").doesNotContain("\ntrusted");
        assertThat(verify(forged, "--json")).isEqualTo(1);
        assertThat(cli.stdout()).contains("\"trusted\" : false");
        assertThat(verify(genuine)).as("without --ak even the TPM's own quote is unproven").isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: ak.pinned: no pinned AK");
    }

    @Test
    void onlyTheRealAkPinnedMakesTheQuoteTrusted() {
        assertThat(verify(genuine, "--ak", realAk.toString())).as(cli.stdout() + cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("ok   ak.pinned: the AK is the pinned one").endsWith("trusted (TPM quote)" + System.lineSeparator());
        assertThat(verify(genuine, "--ak", otherAk.toString())).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: ak.pinned: the quote is signed by another AK than the pinned one");
        assertThat(verify(forged, "--ak", realAk.toString())).isEqualTo(1);
        assertThat(cli.stdout()).contains("NOT trusted: ak.pinned");
    }

    /** A log is replayed by the appraiser, as every TEE's: a real UEFI log of another machine does not account for this TPM's PCRs. */
    @Test
    void anEventLogMustReplayToTheQuotedPcrs() {
        String log = dev.guestattest.core.testing.Vectors.root().resolve("tpm/go-tpm-tools/rhel8-uefi.bin").toString();
        assertThat(verify(genuine, "--ak", realAk.toString(), "--eventlog", log)).as(cli.stdout()).isEqualTo(1);
        assertThat(cli.stdout()).contains("FAIL policy.event_log: the log's events for pcr", "do not replay to its value")
                .contains("NOT trusted: policy.event_log");
    }

    @Test
    void verifyAndAppraiseAgreeOnWhatTrustedMeans() {
        record Case(Path evidence, Optional<Path> ak, boolean trusted) {
        }
        for (Case c : new Case[] {new Case(forged, Optional.empty(), false), new Case(genuine, Optional.empty(), false),
                new Case(genuine, Optional.of(realAk), true), new Case(genuine, Optional.of(otherAk), false),
                new Case(forged, Optional.of(realAk), false), new Case(forged, Optional.of(otherAk), true)}) {
            int verified = c.ak().map(a -> verify(c.evidence(), "--ak", a.toString())).orElseGet(() -> verify(c.evidence()));
            String said = cli.stdout() + cli.stderr();
            int appraised = appraise(c.evidence(), c.ak());
            assertThat(verified).as("verify %s: %s", c, said).isEqualTo(c.trusted() ? 0 : 1);
            assertThat(appraised).as("appraise %s: %s", c, cli.stdout() + cli.stderr()).isEqualTo(c.trusted() ? 0 : 1);
        }
    }

    @Test
    void anAkFileThatIsNoTpmtPublicIsBadInput() throws Exception {
        Path text = Files.writeString(dir.resolve("ak.pem"), "-----BEGIN PUBLIC KEY-----\n");
        assertThat(verify(genuine, "--ak", text.toString())).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --ak: " + text + " is not an AK public area (TPMT_PUBLIC)");
        byte[] area = Files.readAllBytes(realAk);
        Path sized = Files.write(dir.resolve("ak.tpm2b"), new dev.guestattest.tpm.abi.TpmWriter().tpm2b(area).toByteArray());
        assertThat(verify(genuine, "--ak", sized.toString())).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --ak: " + sized);
        Path trailing = Files.write(dir.resolve("ak.trailing"), java.util.Arrays.copyOf(area, area.length + 1));
        assertThat(verify(genuine, "--ak", trailing.toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("TPMT_PUBLIC: 1 trailing bytes");
        Path big = Files.write(dir.resolve("ak.big"), new byte[5000]);
        assertThat(verify(genuine, "--ak", big.toString())).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --ak: 5000 bytes exceeds the limit of 4096 bytes");
    }
}
