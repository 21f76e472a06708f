// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.tdx.abi.Quote;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private String state() {
        return tmp.resolve("state").toString();
    }

    private String stdout() {
        return cli.stdout();
    }

    private String stderr() {
        return cli.stderr();
    }

    @Test
    void eachCommandIsBuiltOnlyWhenNamedAndNamedAsItsAnnotationSays() throws Exception {
        for (java.util.Map.Entry<String, String> c : Main.COMMANDS.entrySet()) {
            assertThat(Class.forName(c.getValue()).getAnnotation(picocli.CommandLine.Command.class).name()).isEqualTo(c.getKey());
        }
        assertThat(Main.commandLine("verify", "--tdx", "q").getSubcommands()).containsOnlyKeys("verify");
        assertThat(Main.commandLine("--version").getSubcommands()).isEmpty();
        assertThat(Main.commandLine("--help").getSubcommands()).containsOnlyKeys(Main.COMMANDS.keySet());
        assertThat(run("--version")).isZero();
        assertThat(stdout()).matches("guest-attest \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{12}|unknown)\\)\\R");
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("verify", "fscrypt", "appraiser");
        assertThat(run("broker", "serve", "--version")).isZero();
        assertThat(stdout()).startsWith("guest-attest ");
    }

    @Test
    void demoRunsEveryStepAndWritesAQuote() throws Exception {
        Path quote = tmp.resolve("q.bin");
        // the demo narrates its broker's decisions itself; the broker's own decision lines stay out of its output
        java.util.logging.Logger decisions = java.util.logging.Logger.getLogger(dev.guestattest.broker.Broker.DECISION_LOG);
        java.util.List<java.util.logging.LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler recorder = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level before = decisions.getLevel();
        decisions.addHandler(recorder);
        try {
            assertThat(run("demo", "--state-dir", state(), "--out", quote.toString())).isEqualTo(0);
        } finally {
            decisions.removeHandler(recorder);
        }
        assertThat(logged).as("decision lines during the demo").isEmpty();
        assertThat(decisions.getLevel()).as("the level is given back").isEqualTo(before);
        assertThat(stdout()).contains("[1/11]", "[5/11] GetQuote: SUCCESS", "matches the nonce", "[6/11] wrote the quote to " + quote,
                "[7/11] verified against the emulator's root and collateral: trusted (UpToDate), 18 checks passed",
                "[9/11] RCAR with a key pair made for the exchange: attested (affirming), received 34 bytes wrapped to that key, equal to what was stored",
                "[10/11] a tampered quote: refused (broker attest refused (401)",
                "[11/11] the first exchange's quote replayed on a new session: refused (broker attest refused (401)");
        assertThat(stdout()).doesNotContain("keys for keys\n").doesNotContain("disk key: keys");
        assertThat(Quote.parse(Files.readAllBytes(quote)).version()).isEqualTo(4);
        // it holds the demo broker's store and key
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("state").resolve("demo"))))
                .isEqualTo("rwx------");
    }

    @Test
    void reportWritesEvidenceAndJson() throws Exception {
        Path quote = tmp.resolve("q5.bin");
        assertThat(run("report", "--state-dir", state(), "--provider", "tdx/emulated", "--inblob-hex", "ab", "--pad",
                "--quote-version", "5", "--out", quote.toString(), "--json")).isEqualTo(0);
        assertThat(stdout()).contains("\"provider\" : \"tdx/emulated\"", "\"generation\" : 2");
        Quote q = Quote.parse(Files.readAllBytes(quote));
        assertThat(q.version()).isEqualTo(5);
        assertThat(q.body().reportData().get(0)).isEqualTo((byte) 0xab);
    }

    @Test
    void badInputIsOneLineExit2AndWritesNothing() {
        Path quote = tmp.resolve("never.bin");
        String[][] cases = {
                {"--inblob-hex", "00".repeat(63)},
                {"--inblob-hex", "00".repeat(65)},
                {"--inblob-hex", "zz"},
                {"--inblob-b64", "!!"},
                {"--inblob-hex", "00".repeat(64), "--privlevel", "4"},
                {"--inblob-hex", "00".repeat(64), "--quote-version", "6"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 7];
            System.arraycopy(new String[] {"report", "--state-dir", state(), "--provider", "tdx/emulated", "--out", quote.toString()},
                    0, args, 0, 7);
            System.arraycopy(c, 0, args, 7, c.length);
            assertThat(run(args)).as(String.join(" ", c)).isEqualTo(2);
            assertThat(stderr().lines().count()).as(stderr()).isEqualTo(1);
            assertThat(stderr()).startsWith("guest-attest: ").doesNotContain("Exception", "\tat ");
            assertThat(quote).doesNotExist();
        }
        assertThat(run("report", "--provider", "nope/x", "--inblob-hex", "00", "--out", quote.toString())).isEqualTo(2);
        assertThat(stderr()).contains("unknown provider 'nope/x'");
        assertThat(run("report", "--inblob-hex", "00")).as("missing --out").isEqualTo(2);
    }

    @Test
    void environmentProblemsExit3() throws Exception {
        Path quote = tmp.resolve("q.bin");
        assertThat(run("report", "--state-dir", state(), "--configfs-root", tmp.resolve("none").toString(), "--dev-dir",
                tmp.toString(), "--inblob-hex", "00", "--pad", "--out", quote.toString())).isEqualTo(3);
        assertThat(stderr()).contains("no attestation provider");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThat(run("report", "--state-dir", file.resolve("s").toString(), "--provider", "tdx/emulated", "--inblob-hex", "00",
                "--pad", "--out", quote.toString())).isEqualTo(3);
        assertThat(stderr()).contains("state directory");
        assertThat(run("report", "--state-dir", state(), "--provider", "tdx/emulated", "--inblob-hex", "00", "--pad", "--out",
                file.resolve("q.bin").toString())).isEqualTo(3);
        assertThat(stderr()).contains("--out: cannot write");
        assertThat(run("selftest", "--dev-dir", tmp.toString())).isEqualTo(3);
        assertThat(stderr()).contains("not a TDX guest");
        assertThat(run("report", "-v", "--state-dir", file.resolve("s").toString(), "--provider", "tdx/emulated",
                "--inblob-hex", "00", "--pad", "--out", quote.toString())).isEqualTo(3);
        assertThat(stderr()).contains("\tat ");
    }

    @Test
    void selftestOnTheEmulatorPasses() {
        assertThat(run("selftest", "--state-dir", state(), "--provider", "tdx/emulated")).isEqualTo(0);
        assertThat(stdout().lines().filter(l -> l.startsWith("PASS")).count()).isEqualTo(7);
        assertThat(stdout()).contains("selftest: all steps passed");
    }

    @Test
    void emulatorCommands() {
        assertThat(run("emulator", "root", "--state-dir", state())).isEqualTo(0);
        assertThat(stdout()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(stderr()).contains("sha256 fingerprint: ");
        assertThat(run("emulator", "extend", "--state-dir", state(), "--rtmr", "1", "--data", "x")).isEqualTo(0);
        // through the measurement log, as mr extend: the register never moves without its event
        Path log = tmp.resolve("state/eventlog/rtmr1.cel");
        assertThat(stdout()).startsWith("rtmr1:sha384 = ").contains("(event 0 in " + log + ")");
        String value = stdout().substring("rtmr1:sha384 = ".length(), "rtmr1:sha384 = ".length() + 96);
        assertThat(run("mr", "read", "rtmr1", "--provider", "tdx/emulated", "--state-dir", state())).isZero();
        assertThat(stdout().strip()).isEqualTo(value);
        assertThat(run("eventlog", "show", log.toString())).as(stderr()).isZero();
        assertThat(stdout().lines()).singleElement().asString().contains("cc_mr 2 ");
        assertThat(run("emulator", "extend", "--state-dir", state(), "--rtmr", "4", "--data", "x")).isEqualTo(2);
        assertThat(run("emulator", "extend", "--state-dir", state(), "--rtmr", "0", "--digest-hex", "00")).isEqualTo(2);
        assertThat(stderr()).contains("--digest-hex: must be exactly 48 bytes, got 1");
        assertThat(run("emulator", "reset", "--state-dir", state(), "--mrconfigid", "11".repeat(48))).isEqualTo(0);
        assertThat(run("emulator", "reset", "--state-dir", state(), "--mrtd", "11")).isEqualTo(2);
    }

    @Test
    void providersAndHelp() {
        assertThat(run("providers", "--configfs-root", tmp.toString() + "/none", "--dev-dir", tmp.toString())).isEqualTo(0);
        assertThat(stdout()).contains("tdx/emulated", "tdx/configfs", "unavailable", "used only when named");
        for (String cmd : new String[] {"providers", "report", "selftest", "demo", "emulator"}) {
            assertThat(run(cmd, "--help")).isEqualTo(0);
            assertThat(stdout()).contains("Usage: guest-attest " + cmd);
        }
        assertThat(run("--help")).isEqualTo(0);
        assertThat(stdout()).contains("Exit codes:");
    }

    @Test
    void keysInstallWritesTheRequestKeyLineIdempotentlyAndUninstallRemovesIt() throws Exception {
        Path root = tmp.resolve("root");
        String[] install = {"keys", "install", "--root", root.toString(), "--no-cds", "--provider", "tdx/emulated",
                "--state-dir", state(), "--handler-log", tmp.resolve("h.log").toString()};
        assertThat(run(install)).as(stderr()).isZero();
        Path conf = root.resolve("etc/request-key.d/guest_attest.conf");
        assertThat(stdout()).startsWith("wrote " + conf + " (provider tdx/emulated; no AppCDS archive (--no-cds))");
        String text = Files.readString(conf);
        assertThat(text).startsWith("# Managed by guest-attest keys install").contains("\ncreate user guest_attest:* * /")
                .contains(" dev.guestattest.cli.Main keys upcall --provider tdx/emulated --state-dir " + state())
                .contains("--handler-log " + tmp.resolve("h.log")).endsWith(" %o %k %c %S %u\n");
        assertThat(run(install)).isZero();
        assertThat(stdout()).startsWith("unchanged: " + conf);
        assertThat(run("keys", "uninstall", "--root", root.toString())).isZero();
        assertThat(stdout()).isEqualTo("removed " + conf + System.lineSeparator());
        assertThat(conf).doesNotExist();
        assertThat(run("keys", "uninstall", "--root", root.toString())).isZero();
        assertThat(stdout()).startsWith("not installed");
    }

    @Test
    void keysInstallRefusesAFileItDidNotWrite() throws Exception {
        Path conf = tmp.resolve("root/etc/request-key.d/guest_attest.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "create user guest_attest:* * /bin/false\n");
        assertThat(run("keys", "install", "--root", tmp.resolve("root").toString(), "--no-cds", "--state-dir", state())).isEqualTo(3);
        assertThat(stderr()).startsWith("guest-attest: refusing to overwrite " + conf);
        assertThat(Files.readString(conf)).isEqualTo("create user guest_attest:* * /bin/false\n");
    }

    @Test
    void addLogonPrintsOnlyTheSerialAndTheKernelHoldsAnUnreadableKey() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "TOPSECRET-0123456789");
        // the thread keyring ends with the command: refused (the in-process run shares this thread's, a real one would not)
        assertThat(run("keys", "add-logon", "guestattest:test", "--secret-file", secret.toString(), "--keyring", "@t")).isEqualTo(2);
        assertThat(stderr()).contains("@t ends when this command exits");
        int ring = dev.guestattest.keys.kernel.KernelKeys.addKeyring("guest-attest-test", dev.guestattest.keys.kernel.KeyringId.THREAD);
        assertThat(run("keys", "add-logon", "guestattest:test", "--secret-file", secret.toString(), "--keyring", Integer.toString(ring),
                "--expire", "60")).as(stderr()).isZero();
        int serial = Integer.parseInt(stdout().trim());
        try {
            dev.guestattest.keys.kernel.KeyInfo info = dev.guestattest.keys.kernel.KernelKeys.describe(serial);
            assertThat(info.type()).isEqualTo("logon");
            assertThat(info.permissions()).isEqualTo(dev.guestattest.keys.kernel.KeyPermissions.POSSESSOR_ONLY);
            assertThat(stdout() + stderr()).doesNotContain("TOPSECRET");
        } finally {
            dev.guestattest.keys.kernel.KernelKeys.revoke(serial);
            dev.guestattest.keys.kernel.KernelKeys.invalidate(ring);
        }
    }

    @Test
    void addLogonRejectsBadInputBeforeTouchingTheKernel() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "TOPSECRET");
        assertThat(run("keys", "add-logon", "nocolon", "--secret-file", secret.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("guest-attest: description: 'nocolon' is not <subclass>:<name>").doesNotContain("TOPSECRET");
        Files.write(secret, new byte[40_000]);
        assertThat(run("keys", "add-logon", "a:b", "--secret-file", secret.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("guest-attest: secret: more than the limit of 32767 bytes");
        assertThat(run("keys", "add-logon", "a:b", "--secret-file", secret.toString(), "--keyring", "@nope")).isEqualTo(2);
        assertThat(run("keys", "add-logon", "a:b", "--secret-file", secret.toString(), "--perm", "zz")).isEqualTo(2);
        assertThat(run("keys", "add-logon", "a:b")).isEqualTo(2); // no secret source
    }

    @Test
    void verifyAcceptsAnEmulatorQuoteWithItsCollateralAndRootAndNamesEveryCheck() throws Exception {
        Path quote = tmp.resolve("q.bin");
        Path collateral = tmp.resolve("collateral.json");
        Path root = tmp.resolve("root.pem");
        assertThat(run("report", "--provider", "tdx/emulated", "--state-dir", state(), "--inblob-hex", "ab".repeat(64), "--out",
                quote.toString())).isZero();
        assertThat(run("emulator", "collateral", "--state-dir", state(), "--out", collateral.toString())).isZero();
        assertThat(stdout()).startsWith("wrote collateral for FMSPC ea0001000000 to " + collateral);
        assertThat(run("emulator", "root", "--state-dir", state())).isZero();
        Files.writeString(root, stdout());
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", collateral.toString(), "--root", root.toString(),
                "--report-data", "ab".repeat(64))).as(stdout() + stderr()).isZero();
        assertThat(stdout()).contains("ok   quote.signature: ", "ok   policy.report_data: equals the expected value").endsWith("trusted (UpToDate)"
                + System.lineSeparator());
        // a directory of <FMSPC>.json works the same
        Path dir = Files.createDirectories(tmp.resolve("cache"));
        Files.copy(collateral, dir.resolve("EA0001000000.json"));
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", dir.toString(), "--root", root.toString(), "--json")).isZero();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stdout());
        assertThat(json.get("trusted").asBoolean()).isTrue();
        assertThat(json.get("tcb").get("status").asText()).isEqualTo("UpToDate");
        assertThat(json.get("claims").get("report_data").asText()).isEqualTo("ab".repeat(64));
        assertThat(json.get("checks")).hasSize(17);
    }

    @Test
    void verifyExitsOneNamingTheFailedCheckAndTwoForBadInput() throws Exception {
        Path quote = tmp.resolve("q.bin");
        Path collateral = tmp.resolve("collateral.json");
        assertThat(run("report", "--provider", "tdx/emulated", "--state-dir", state(), "--inblob-hex", "00", "--pad", "--out",
                quote.toString())).isZero();
        assertThat(run("emulator", "collateral", "--state-dir", state(), "--out", collateral.toString(), "--revoke-pck")).isZero();
        assertThat(run("emulator", "root", "--state-dir", state())).isZero();
        Path root = Files.writeString(tmp.resolve("root.pem"), stdout());
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", collateral.toString(), "--root", root.toString())).isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: pck.revocation: the PCK certificate (serial ");
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", collateral.toString())).isEqualTo(1); // Intel root only
        assertThat(stdout()).contains("NOT trusted: pck.chain: ");
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", collateral.toString(), "--at", "yesterday")).isEqualTo(2);
        assertThat(stderr()).startsWith("guest-attest: --at: 'yesterday' is not an ISO-8601 instant");
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", collateral.toString(), "--report-data", "00")).isEqualTo(2);
        assertThat(run("verify", "--tdx", tmp.resolve("absent").toString(), "--collateral", collateral.toString())).isEqualTo(2);
        Files.writeString(tmp.resolve("bad.json"), "{\"pck_crl\": 1}");
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", tmp.resolve("bad.json").toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("guest-attest: collateral pck_crl_issuer_chain: missing");
        assertThat(run("verify", "--tdx", quote.toString(), "--collateral", collateral.toString(), "--accept-tcb", "Great")).isEqualTo(2);
    }

    @Test
    void verifyChecksRealIntelQuotesWithTheBuiltInRoot() {
        String vectors = dev.guestattest.core.testing.Vectors.root().toString();
        assertThat(run("verify", "--tdx", vectors + "/intel-tdx/dcap-qvl/tdx_quote_v4.bin", "--collateral",
                vectors + "/intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json", "--at", "2025-07-01T00:00:00Z")).isZero();
        assertThat(stdout()).endsWith("trusted (UpToDate)" + System.lineSeparator());
        assertThat(run("verify", "--tdx", vectors + "/intel-tdx/dcap-qvl/tdx_quote_v4.bin", "--collateral",
                vectors + "/intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json", "--at", "2025-07-19T10:00:36Z")).isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: collateral.pck_crl: pck_crl is stale: its nextUpdate 2025-07-19T10:00:35Z has passed");
    }

    @Test
    void mrExtendLogsFirstAndEventlogReplaysToTheRegister() {
        Path log = tmp.resolve("rtmr3.cel");
        assertThat(run("mr", "extend", "rtmr3", "--provider", "tdx/emulated", "--state-dir", state(), "--event", "boot workload",
                "--log", log.toString())).as(stderr()).isZero();
        assertThat(run("mr", "extend", "rtmr3", "--provider", "tdx/emulated", "--state-dir", state(), "--digest-hex", "ab".repeat(48),
                "--log", log.toString())).isZero();
        assertThat(run("mr", "read", "rtmr3", "--provider", "tdx/emulated", "--state-dir", state())).isZero();
        String value = stdout().strip();
        assertThat(run("eventlog", "replay", "--bank", "sha384", log.toString())).isZero();
        assertThat(stdout()).isEqualTo("4 " + value + System.lineSeparator());
        assertThat(run("eventlog", "show", log.toString())).isZero();
        assertThat(stdout().lines()).hasSize(2);
        assertThat(run("mr", "extend", "mrtd", "--provider", "tdx/emulated", "--state-dir", state(), "--event", "x", "--log",
                log.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("guest-attest: register mrtd: is read-only");
        assertThat(run("mr", "extend", "rtmr0", "--provider", "tdx/emulated", "--state-dir", state(), "--digest-hex", "ab", "--log",
                log.toString())).isEqualTo(2);
        assertThat(run("eventlog", "replay", "--format", "tcg2", log.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("guest-attest: event log").contains("at offset");
    }

    @Test
    void ccaReportsVerifyWithTheEmulatedCpakAndRealTokensWithTheirAnchor() throws Exception {
        Path token = tmp.resolve("token.cbor");
        assertThat(run("report", "--provider", "cca/emulated", "--state-dir", state(), "--inblob-hex", "cd".repeat(40), "--pad",
                "--out", token.toString())).as(stderr()).isZero();
        assertThat(run("emulator", "root", "--tee", "cca", "--state-dir", state())).isZero();
        Path cpak = Files.writeString(tmp.resolve("cpak.json"), stdout());
        assertThat(run("verify", "--cca", token.toString(), "--cpak", cpak.toString(), "--report-data",
                "cd".repeat(40) + "00".repeat(24))).as(stdout()).isZero();
        assertThat(stdout()).contains("ok   realm.binding: ", "ok   policy.report_data: ").endsWith("trusted (CCA token)" + System.lineSeparator());
        String v = dev.guestattest.core.testing.Vectors.root().toString() + "/arm-cca/rust-ccatoken/";
        assertThat(run("verify", "--cca", v + "cca-token-02.cbor", "--cpak", v + "ta-02-ok.json")).isZero();
        assertThat(run("verify", "--cca", v + "cca-token-02.cbor", "--cpak", v + "ta-tfa.json")).isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: platform.signature");
        assertThat(run("verify", "--cca", v + "cca-token-02.cbor")).isEqualTo(2);
        // appraisal: token 01 is the state rv.json describes; token 02 is not; the emulator writes its own
        assertThat(run("verify", "--cca", v + "cca-token-01.cbor", "--cpak", v + "cpak.json", "--reference-values", v + "rv.json")).isZero();
        assertThat(stdout()).contains("ok   policy.platform.reference: ", "ok   policy.realm.reference: ");
        assertThat(run("verify", "--cca", v + "cca-token-02.cbor", "--cpak", v + "ta-02-ok.json", "--reference-values", v + "rv.json"))
                .isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: policy.platform.reference: implementation 0000");
        Path rv = tmp.resolve("rv.json");
        assertThat(run("emulator", "root", "--tee", "cca", "--state-dir", state(), "--reference-values", rv.toString())).isZero();
        assertThat(run("verify", "--cca", token.toString(), "--root", cpak.toString(), "--reference-values", rv.toString())).as(stdout()).isZero();
        assertThat(run("mr", "extend", "--provider", "cca/emulated", "--state-dir", state(), "rem1", "--event", "app")).as(stderr()).isZero();
        assertThat(run("report", "--provider", "cca/emulated", "--state-dir", state(), "--inblob-hex", "cd".repeat(40), "--pad",
                "--out", token.toString())).isZero();
        assertThat(run("verify", "--cca", token.toString(), "--root", cpak.toString(), "--reference-values", rv.toString())).isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: policy.realm.reference: the RIM is known but its REMs differ");
        assertThat(run("verify", "--cca", token.toString(), "--root", cpak.toString(), "--reference-values", cpak.toString())).isEqualTo(2);
    }

    @Test
    void s390RequestReportAndVerifyRoundTrip() throws Exception {
        assertThat(run("emulator", "root", "--tee", "s390", "--state-dir", state())).isZero();
        Path image = Files.writeString(tmp.resolve("s390.json"), stdout());
        String hostPem = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stdout()).get("host_key").asText();
        Path host = Files.writeString(tmp.resolve("host.pem"), hostPem);
        Path arcb = tmp.resolve("req.arcb");
        Path secret = tmp.resolve("req.secret");
        assertThat(run("s390", "request", "--host-key", host.toString(), "--out", arcb.toString(), "--secret", secret.toString())).isZero();
        assertThat(Files.getPosixFilePermissions(secret)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path resp = tmp.resolve("resp.json");
        assertThat(run("report", "--provider", "s390/emulated", "--state-dir", state(), "--inblob-hex", "0102", "--setting",
                "s390.arcb=" + arcb, "--out", resp.toString())).as(stderr()).isZero();
        assertThat(run("verify", "--s390", resp.toString(), "--secret", secret.toString(), "--image", image.toString(), "--report-data",
                "0102")).as(stdout()).isZero();
        // another request's secret does not match
        Path other = tmp.resolve("other.secret");
        assertThat(run("s390", "request", "--host-key", host.toString(), "--out", tmp.resolve("o.arcb").toString(), "--secret",
                other.toString())).isZero();
        assertThat(run("verify", "--s390", resp.toString(), "--secret", other.toString(), "--image", image.toString())).isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: measurement: does not match");
        assertThat(run("report", "--provider", "s390/emulated", "--state-dir", state(), "--inblob-hex", "01", "--setting", "nokey")).isEqualTo(2);
    }

    @Test
    void coveEvidenceVerifiesToTheEmulatedDiceRoot() throws Exception {
        Path ev = tmp.resolve("cove.pem");
        assertThat(run("report", "--provider", "cove/emulated", "--state-dir", state(), "--inblob-hex", "ee".repeat(64), "--out",
                ev.toString())).as(stderr()).isZero();
        assertThat(run("emulator", "root", "--tee", "cove", "--state-dir", state())).isZero();
        Path root = Files.writeString(tmp.resolve("dice-root.pem"), stdout());
        assertThat(run("verify", "--cove", ev.toString(), "--root", root.toString(), "--report-data", "ee".repeat(64))).as(stdout()).isZero();
        assertThat(run("verify", "--cove", ev.toString(), "--root", root.toString(), "--report-data", "ef".repeat(64))).isEqualTo(1);
        assertThat(stdout()).contains("NOT trusted: policy.report_data");
        assertThat(run("verify", "--cove", ev.toString())).isEqualTo(2);
        assertThat(run("providers")).isZero();
        assertThat(stdout()).contains("a real CoVE backend awaits a Linux COVG driver");
    }

    @Test
    void brokerServeRefusesBoundsOutsideTheirRangeBeforeCreatingAnything() {
        for (String[] bad : new String[][] {{"--connections-per-client", "0"}, {"--body-deadline-seconds", "0"}, {"--auth-rate", "-1"},
                {"--appraise-rate", "0"}}) {
            assertThat(run("broker", "serve", "--state-dir", state(), "--port", "0", bad[0], bad[1])).isEqualTo(2);
            assertThat(cli.stderr()).startsWith("guest-attest: " + bad[0] + ": " + bad[1] + " is outside 1..");
        }
        assertThat(tmp.resolve("state").resolve("broker")).doesNotExist();
    }
}
