// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CLI contract (docs/cli.md), one table over every command: exit 0 ok; 1 a check failed or a
 * party refused; 2 bad input or usage, a named file missing included; 3 the environment (no device,
 * network unreachable); appraise 4 for a warning. Failures say why on stderr and never as a stack
 * trace; every --json output is held to its schema. A command without a row fails the coverage test.
 */
class CliContractTest {
    private static final String V = "../../shared/vectors/";
    private static final String TDX = V + "intel-tdx/dcap-qvl/tdx_quote_v4.bin";
    private static final String TDX_COLLATERAL = V + "intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json";
    private static final String AT = "2025-07-01T00:00:00Z";
    /** Commands whose --json shares another's schema. */
    private static final Map<String, String> SCHEMA_ALIASES = Map.of("emulator-extend", "mr-extend");
    /** Commands whose --json needs what this table cannot make, held to their schema by the test named. */
    private static final Map<String, String> JSON_ELSEWHERE = Map.of("fscrypt-status", "FscryptCliTest (a loop-mounted ext4 with encryption)",
            "broker-audit", "BrokerCliTest (a running broker)", "broker-resource-list", "BrokerCliTest (a running broker)",
            "collateral-fetch", "CollateralCliTest (the emulated PCS)", "snp-certs-fetch", "CollateralCliTest (the emulated KDS)");

    @TempDir
    static Path tmp;
    private static final Map<String, String> vars = new java.util.HashMap<>();

    record Row(int exit, String... args) {
        String[] resolved() {
            return Arrays.stream(args).map(a -> {
                String r = a;
                for (var v : vars.entrySet()) {
                    r = r.replace(v.getKey(), v.getValue());
                }
                return r;
            }).toArray(String[]::new);
        }

        @Override
        public String toString() {
            return exit + " <- " + String.join(" ", args);
        }
    }

    /** Fixtures made through the CLI itself: an emulated TD's quotes, collateral, root and policy. */
    @BeforeAll
    static void fixtures() throws IOException {
        CliRun cli = new CliRun();
        cli.capture();
        try {
            String s = tmp.resolve("state").toString();
            vars.put("$S", s);
            vars.put("$T", tmp.toString());
            vars.put("$CLOSED", Integer.toString(closedPort()));
            run(cli, "mr", "extend", "rtmr2", "--provider", "tdx/emulated", "--state-dir", s, "--event", "app v1");
            run(cli, "report", "--provider", "tdx/emulated", "--state-dir", s, "--inblob-hex", "ab", "--pad", "--out", tmp.resolve("q.bin").toString());
            run(cli, "emulator", "collateral", "--state-dir", s, "--out", tmp.resolve("col.json").toString());
            run(cli, "emulator", "root", "--state-dir", s);
            Files.writeString(tmp.resolve("root.pem"), cli.stdout());
            run(cli, "policy", "init", "--from", tmp.resolve("q.bin").toString(), "--aux", "collateral=" + tmp.resolve("col.json"),
                    "--root", tmp.resolve("root.pem").toString(), "--out", tmp.resolve("policy.json").toString());
            byte[] q = Files.readAllBytes(tmp.resolve("q.bin"));
            Files.write(tmp.resolve("trunc.bin"), Arrays.copyOf(q, 600));
            q[200] ^= 1; // inside the signed TD report body
            Files.write(tmp.resolve("tampered.bin"), q);
            // the workload moves: a quote whose RTMR2 no reference value vouches for (an EAR warning)
            run(cli, "mr", "extend", "rtmr2", "--provider", "tdx/emulated", "--state-dir", s, "--event", "app v2");
            run(cli, "report", "--provider", "tdx/emulated", "--state-dir", s, "--inblob-hex", "ab", "--pad", "--out", tmp.resolve("q2.bin").toString());
            Files.writeString(tmp.resolve("token"), "not-the-admin-token");
            Files.writeString(tmp.resolve("secret"), "s3cret");
            Files.write(tmp.resolve("garbage"), new byte[] {1, 2, 3});
            Files.createDirectories(tmp.resolve("empty"));
        } finally {
            cli.restore();
        }
    }

    private static void run(CliRun cli, String... args) {
        int rc = cli.run(args);
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", args) + " -> " + rc + ": " + cli.stderr());
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static final List<Row> TABLE = List.of(
            // version, top level
            new Row(0, "version"), new Row(0, "version", "--json"), new Row(0, "--version"), new Row(2, "version", "--bogus"),
            new Row(2, "no-such-command"),
            // providers
            new Row(0, "providers", "--state-dir", "$S"), new Row(0, "providers", "--state-dir", "$S", "--json", "--verbose"),
            // report
            new Row(0, "report", "--provider", "tdx/emulated", "--state-dir", "$S", "--inblob-hex", "cd", "--pad", "--out", "$T/r.bin", "--json"),
            new Row(2, "report", "--provider", "tdx/emulated", "--state-dir", "$S", "--inblob-hex", "cd", "--out", "$T/r.bin"),
            new Row(2, "report", "--provider", "tdx/emulated", "--state-dir", "$S", "--inblob-file", "$T/missing", "--out", "$T/r.bin"),
            new Row(2, "report", "--provider", "tdx/emulated", "--state-dir", "$S", "--inblob-hex", "cd", "--pad", "--out", "-", "--json"),
            new Row(3, "report", "--provider", "tdx/device", "--dev-dir", "$T/empty", "--state-dir", "$S", "--inblob-hex", "cd", "--pad",
                    "--out", "$T/r.bin"),
            // verify
            new Row(0, "verify", "--tdx", TDX, "--collateral", TDX_COLLATERAL, "--at", AT),
            new Row(0, "verify", "--tee", "tdx", TDX, "--collateral", TDX_COLLATERAL, "--at", AT, "--json", "--verbose"),
            new Row(0, "verify", "--tee", "tdx", "$T/q.bin", "--collateral", "$T/col.json", "--root", "$T/root.pem", "--report-data", "ab", "--pad"),
            new Row(2, "verify", "--tee", "tdx", "$T/q.bin", "--collateral", "$T/col.json", "--root", "$T/root.pem", "--report-data", "ab"),
            new Row(1, "verify", "--tee", "tdx", "$T/q.bin", "--collateral", "$T/col.json", "--root", "$T/root.pem", "--report-data", "cd", "--pad"),
            new Row(1, "verify", "--tdx", "$T/tampered.bin", "--collateral", "$T/col.json", "--root", "$T/root.pem", "--json"),
            new Row(2, "verify", "--tdx", "$T/trunc.bin", "--collateral", "$T/col.json", "--root", "$T/root.pem"),
            new Row(2, "verify", "--tdx", "$T/missing", "--collateral", TDX_COLLATERAL),
            new Row(2, "verify", "--tdx", TDX, "--collateral", "$T/missing"),
            new Row(2, "verify", "--tee", "tdx", TDX, "--tdx", TDX),
            new Row(3, "verify", "--tdx", TDX, "--pcs", "http://127.0.0.1:$CLOSED", "--state-dir", "$T/fresh", "--at", AT),
            // appraise: 0 affirming, 4 warning, 1 contraindicated
            new Row(0, "appraise", "$T/q.bin", "--offline", "--aux", "collateral=$T/col.json", "--root", "$T/root.pem", "--policy", "$T/policy.json",
                    "--report-data", "ab", "--pad", "--state-dir", "$S", "--json"),
            new Row(4, "appraise", "$T/q2.bin", "--tee", "tdx", "--offline", "--aux", "collateral=$T/col.json", "--root", "$T/root.pem", "--policy",
                    "$T/policy.json", "--state-dir", "$S"),
            new Row(1, "appraise", "$T/q.bin", "--offline", "--aux", "collateral=$T/col.json", "--root", "$T/root.pem", "--policy", "$T/policy.json",
                    "--report-data", "00", "--pad", "--state-dir", "$S"),
            new Row(2, "appraise", "$T/trunc.bin", "--tee", "tdx", "--offline", "--aux", "collateral=$T/col.json", "--policy", "$T/policy.json"),
            new Row(2, "appraise", "$T/q.bin", "--policy", "$T/missing"),
            new Row(0, "appraise", "$T/q.bin", "--offline", "--aux", "collateral=$T/col.json", "--root", "$T/root.pem", "--policy", "$T/policy.json",
                    "--state-dir", "$S", "--ear-out", "-"),
            new Row(0, "policy", "init", "--from", "$T/q.bin", "--aux", "collateral=$T/col.json", "--root", "$T/root.pem", "--out", "-"),
            new Row(1, "policy", "init", "--from", "$T/q.bin", "--aux", "collateral=$T/col.json", "--out", "$T/never.json"),
            new Row(0, "appraiser", "key", "--state-dir", "$S"),
            // measurement registers and logs
            new Row(0, "mr", "list", "--provider", "tdx/emulated", "--state-dir", "$S", "--json"),
            new Row(0, "mr", "read", "rtmr2", "--provider", "tdx/emulated", "--state-dir", "$S", "--json"),
            new Row(2, "mr", "read", "rtmr9", "--provider", "tdx/emulated", "--state-dir", "$S"),
            new Row(0, "mr", "extend", "rtmr3", "--provider", "tdx/emulated", "--state-dir", "$S", "--event", "x", "--json"),
            new Row(2, "mr", "extend", "rtmr3", "--provider", "tdx/emulated", "--state-dir", "$S", "--event-file", "$T/missing"),
            new Row(0, "eventlog", "show", "$S/eventlog/rtmr2.cel", "--json"),
            new Row(0, "eventlog", "replay", "$S/eventlog/rtmr2.cel", "--json"),
            new Row(2, "eventlog", "show", "$T/missing"),
            new Row(2, "eventlog", "replay", "$T/garbage"),
            // the emulator
            new Row(0, "emulator", "root", "--state-dir", "$S"),
            new Row(0, "emulator", "extend", "--state-dir", "$S", "--rtmr", "3", "--data", "y", "--json"),
            new Row(2, "emulator", "extend", "--state-dir", "$S", "--rtmr", "4", "--data", "y"),
            new Row(0, "emulator", "collateral", "--state-dir", "$S", "--out", "-"),
            new Row(2, "emulator", "reset", "--state-dir", "$T/other", "--mrtd", "11"),
            new Row(2, "emulator", "serve", "--bogus"),
            new Row(0, "selftest", "--provider", "tdx/emulated", "--state-dir", "$T/selftest", "--json"),
            new Row(2, "selftest", "--provider", "snp/emulated", "--state-dir", "$T/selftest"),
            new Row(2, "demo", "--bogus"),
            // SNP, s390
            new Row(2, "snp", "derive-key", "--provider", "snp/emulated", "--state-dir", "$S", "--vmpl", "9", "--out", "$T/k"),
            new Row(2, "snp", "certs", "fetch", "--report", "$T/missing", "--out", "$T/certs"),
            new Row(3, "snp", "certs", "fetch", "--report", V + "amd-sev-snp/go-sev-guest/attestation.bin", "--product", "Milan", "--kds", "http://127.0.0.1:$CLOSED",
                    "--state-dir", "$T/fresh", "--out", "$T/certs"),
            new Row(2, "s390", "request", "--host-key", "$T/missing", "--out", "$T/req", "--secret", "$T/sec"),
            // collateral
            new Row(2, "collateral", "fetch", "--tdx", "$T/missing", "--out", "$T/coll"),
            new Row(3, "collateral", "fetch", "--tdx", TDX, "--pcs", "http://127.0.0.1:$CLOSED", "--out", "$T/coll"),
            new Row(0, "collateral", "show", "$T/empty", "--json"),
            new Row(2, "collateral", "show", "$T/missing"),
            // kernel keys and fscrypt (their behaviour on the real kernel is KeysCliTest's and FscryptCliTest's)
            new Row(0, "keys", "install", "--root", "$T/keysroot", "--no-cds", "--provider", "tdx/emulated"),
            new Row(0, "keys", "uninstall", "--root", "$T/keysroot"),
            new Row(2, "keys", "add-logon", "cryptsetup:x", "--secret-file", "$T/missing"),
            new Row(2, "fscrypt", "status", "$T/missing"),
            new Row(3, "fscrypt", "status", "$T/empty", "--json"), // a filesystem without encryption; FscryptCliTest holds the JSON
            new Row(2, "fscrypt", "encrypt", "$T/missing", "--secret", "kbs:///a/b/c", "--bogus"),
            new Row(2, "fscrypt", "unlock", "--bogus"),
            new Row(2, "fscrypt", "lock", "--bogus"),
            // the broker and its guests: nothing listens at $CLOSED
            new Row(2, "broker", "serve", "--bogus"),
            new Row(3, "secret", "get", "kbs:///a/b/c", "--broker", "http://127.0.0.1:$CLOSED", "--provider", "tdx/emulated", "--state-dir", "$S",
                    "--out", "$T/never"),
            new Row(3, "broker", "resource", "put", "a/b/c", "--file", "$T/secret", "--broker", "http://127.0.0.1:$CLOSED",
                    "--admin-token-file", "$T/token"),
            new Row(2, "broker", "resource", "put", "a/b/c", "--file", "$T/missing", "--broker", "http://127.0.0.1:$CLOSED",
                    "--admin-token-file", "$T/token"),
            new Row(3, "broker", "policy", "set", "--file", "$T/policy.json", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(3, "broker", "resource-policy", "set", "--file", "$T/policy.json", "--broker", "http://127.0.0.1:$CLOSED",
                    "--admin-token-file", "$T/token"),
            new Row(3, "broker", "reference-values", "set", "--file", "$T/policy.json", "--broker", "http://127.0.0.1:$CLOSED",
                    "--admin-token-file", "$T/token"),
            new Row(3, "broker", "audit", "--json", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(2, "broker", "audit", "--since", "yesterday", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(3, "broker", "resource", "list", "--json", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(3, "broker", "resource", "delete", "a/b/c", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(2, "broker", "resource", "delete", "../b/c", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(3, "broker", "policy", "get", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(3, "broker", "resource-policy", "get", "--broker", "http://127.0.0.1:$CLOSED", "--admin-token-file", "$T/token"),
            new Row(2, "doctor", "--bogus"), new Row(2, "doctor", "--tee", "sgx"),
            new Row(1, "doctor", "--root", "$T/no-such-root", "--state-dir", "$S", "--json")); // a machine with no TEE: a failed finding

    private final CliRun cli = new CliRun();

    @TestFactory
    Stream<DynamicTest> everyRowExitsAsTheContractSays() {
        return TABLE.stream().map(row -> DynamicTest.dynamicTest(row.toString(), () -> {
            cli.capture();
            int rc;
            try {
                rc = cli.run(row.resolved());
            } finally {
                cli.restore();
            }
            String out = cli.stdout();
            String err = cli.stderr();
            assertThat(rc).as("exit of %s%nstdout: %s%nstderr: %s", row, out, err).isEqualTo(row.exit());
            assertThat(err).as("no stack trace without --verbose").doesNotContain("\tat ").doesNotContain("internal error");
            if (rc == Main.USAGE || rc == Main.ENVIRONMENT) {
                assertThat(err).as("bad input and the environment are diagnosed on stderr").startsWith("guest-attest: ").isNotBlank();
            }
            List<String> path = path(row.resolved());
            if (Arrays.asList(row.args()).contains("--json") && rc != Main.USAGE && rc != Main.ENVIRONMENT) {
                String name = String.join("-", path);
                JsonSchemas.valid(SCHEMA_ALIASES.getOrDefault(name, name), out);
            }
        }));
    }

    /** Every command (leaf of the tree) has a row; every command takes --verbose; every --json has its schema. */
    @Test
    void theTableCoversEveryCommandAndEveryCommandKeepsTheContract() {
        Set<String> leaves = new TreeSet<>();
        walk(Main.commandLine("--help"), new ArrayList<>(), leaves);
        Set<String> covered = new LinkedHashSet<>();
        TABLE.forEach(r -> covered.add(String.join(" ", path(r.args()))));
        assertThat(covered).as("commands with a row").containsAll(leaves);
    }

    private static void walk(CommandLine c, List<String> path, Set<String> leaves) {
        assertThat(c.getCommandSpec().findOption("--verbose")).as("--verbose on '%s'", String.join(" ", path)).isNotNull();
        if (c.getCommandSpec().findOption("--json") != null) {
            String name = String.join("-", path);
            assertThat(JsonSchemas.exists(SCHEMA_ALIASES.getOrDefault(name, name))).as("schema of %s --json", name).isTrue();
            assertThat(JSON_ELSEWHERE.containsKey(name) || TABLE.stream().anyMatch(r -> String.join("-", path(r.args())).equals(name)
                    && Arrays.asList(r.args()).contains("--json") && r.exit() != Main.USAGE && r.exit() != Main.ENVIRONMENT))
                    .as("a row that holds %s --json to its schema", name).isTrue();
        }
        if (c.getSubcommands().isEmpty()) {
            leaves.add(String.join(" ", path));
            return;
        }
        for (var e : new java.util.TreeMap<>(c.getSubcommands()).entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            walk(e.getValue(), p, leaves);
        }
    }

    /** The command words an argument list names, as the tree has them. */
    private static List<String> path(String[] args) {
        CommandLine c = Main.commandLine("--help");
        List<String> path = new ArrayList<>();
        for (String a : args) {
            CommandLine sub = c.getSubcommands().get(a);
            if (sub == null) {
                break;
            }
            path.add(a);
            c = sub;
        }
        return path;
    }
}
