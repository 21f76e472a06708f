// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.verify.Appraiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands and secret get against a broker on loopback trusting the emulators of one state directory. */
class BrokerCliTest {
    @TempDir
    Path tmp;
    private final CliRun cli = new CliRun();
    private Database db;
    private BrokerServer server;
    private String url;
    private Path token;
    private Path state;

    @BeforeEach
    void start() throws Exception {
        state = tmp.resolve("state");
        BrokerConfig config = EmulatorTrust.apply(ProviderContext.defaults().withStateDir(state), BrokerConfig.DEFAULT);
        db = Database.open(tmp.resolve("store").toString());
        Broker broker = new Broker(db, Kek.loadOrCreate(tmp.resolve("kek")), config, Appraiser.discover(), Clock.systemUTC());
        token = Files.writeString(tmp.resolve("admin-token"), "an-admin-token-for-the-cli-test\n");
        server = BrokerServer.start(broker, "127.0.0.1", 0, "an-admin-token-for-the-cli-test".getBytes(StandardCharsets.UTF_8), Optional.empty());
        url = server.uri().toString();
        cli.capture();
    }

    @AfterEach
    void stop() {
        cli.restore();
        server.close();
        db.close();
    }

    @Test
    void anOperatorSetsPolicyAndSecretAndAGuestReceivesItInAFileAndAKeyStore() throws Exception {
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), "id: cli\ntees: [cove]\nallow_debug: true\n");
        Path rp = Files.writeString(tmp.resolve("rp.yaml"), "rules:\n  - {path: \"app/*/*\", status: warning}\n");
        Path secret = Files.writeString(tmp.resolve("secret"), "db password");
        String[] admin = {"--broker", url, "--admin-token-file", token.toString()};
        assertThat(cli.run(concat(new String[] {"broker", "policy", "set", "--file", policy.toString()}, admin))).as(cli.stderr()).isZero();
        assertThat(cli.run(concat(new String[] {"broker", "resource-policy", "set", "--file", rp.toString()}, admin))).isZero();
        assertThat(cli.run(concat(new String[] {"broker", "resource", "put", "app/db/password", "--file", secret.toString()}, admin))).isZero();
        Path out = tmp.resolve("got");
        assertThat(cli.run("secret", "get", "kbs:///app/db/password", "--broker", url, "--provider", "cove/emulated", "--state-dir",
                state.toString(), "--out", out.toString())).as(cli.stderr()).isZero();
        assertThat(Files.readString(out)).isEqualTo("db password");
        assertThat(Files.getPosixFilePermissions(out)).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(cli.stdout()).contains("released app/db/password (11 bytes)").doesNotContain("db password");
        Path p12 = tmp.resolve("ks.p12");
        Path pw = Files.writeString(tmp.resolve("pw"), "changeit");
        assertThat(cli.run("secret", "get", "kbs:///app/db/password", "--broker", url, "--provider", "cove/emulated", "--state-dir",
                state.toString(), "--to-keystore", "db", "--keystore", p12.toString(), "--keystore-password-file", pw.toString())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        assertThat(new String(ks.getKey("db", "changeit".toCharArray()).getEncoded(), StandardCharsets.UTF_8)).isEqualTo("db password");
    }

    /** A guest launched with init-data (emulator reset --init-data puts its digest in HOST_DATA) sends it; other init-data is refused. */
    @Test
    void aGuestLaunchedWithInitDataSendsItAndOtherInitDataIsRefused() throws Exception {
        String initData = "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n\"aa.toml\" = '''\n[token_configs.kbs]\nurl = \"http://kbs\"\n'''\n";
        Path launched = Files.writeString(tmp.resolve("initdata.toml"), initData);
        Path other = Files.writeString(tmp.resolve("other.toml"), initData.replace("http://kbs", "http://attacker"));
        assertThat(cli.run("emulator", "reset", "--init-data", launched.toString(), "--state-dir", state.toString())).as(cli.stderr()).isZero();
        assertThat(cli.stdout()).contains("init-data sha256");
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), "id: cli\ntees: [snp]\nallow_debug: true\n");
        Path rp = Files.writeString(tmp.resolve("rp.yaml"), "rules:\n  - {path: \"pods/*/*\", status: warning}\n");
        String[] admin = {"--broker", url, "--admin-token-file", token.toString()};
        assertThat(cli.run(concat(new String[] {"broker", "policy", "set", "--file", policy.toString()}, admin))).isZero();
        assertThat(cli.run(concat(new String[] {"broker", "resource-policy", "set", "--file", rp.toString()}, admin))).isZero();
        assertThat(cli.run(concat(new String[] {"broker", "resource", "put", "pods/cdh/key", "--file", launched.toString()}, admin))).isZero();
        Path out = tmp.resolve("got");
        assertThat(cli.run("secret", "get", "kbs:///pods/cdh/key", "--broker", url, "--provider", "snp/emulated", "--state-dir", state.toString(),
                "--init-data", launched.toString(), "--out", out.toString())).as(cli.stderr()).isZero();
        assertThat(Files.readString(out)).isEqualTo(initData);
        assertThat(cli.run("secret", "get", "kbs:///pods/cdh/key", "--broker", url, "--provider", "snp/emulated", "--state-dir", state.toString(),
                "--init-data", other.toString(), "--out", tmp.resolve("not").toString())).isNotZero();
        assertThat(cli.stderr()).contains("policy.init_data").contains("host_data");
        assertThat(tmp.resolve("not")).doesNotExist();
    }

    @Test
    void refusalsAreClearAndExitNonZero() throws Exception {
        Path policy = Files.writeString(tmp.resolve("policy.json"), "{\"id\": \"x\", \"tees\": [\"tdx\"],\n \"alow_debug\": true}");
        String[] admin = {"--broker", url, "--admin-token-file", token.toString()};
        assertThat(cli.run(concat(new String[] {"broker", "policy", "set", "--file", policy.toString()}, admin))).isEqualTo(2);
        assertThat(cli.stderr()).contains("policy set refused (400)").contains("line 2").contains("alow_debug");
        Path wrong = Files.writeString(tmp.resolve("wrong"), "not-the-admin-token-at-all");
        // the broker said no to the credential: a refusal (1), not this machine's failure
        assertThat(cli.run("broker", "resource", "put", "a/b/c", "--file", wrong.toString(), "--broker", url, "--admin-token-file",
                wrong.toString())).isEqualTo(1);
        assertThat(cli.stderr()).contains("refused (401)");
        assertThat(cli.run("secret", "get", "kbs:///a/b/c", "--broker", url, "--provider", "cove/emulated", "--state-dir", state.toString(),
                "--out", tmp.resolve("x").toString())).isEqualTo(1);
        assertThat(cli.stderr()).contains("no attestation policy is set");
        assertThat(Files.exists(tmp.resolve("x"))).isFalse();
        assertThat(cli.run("secret", "get", "https://a/b/c", "--broker", url, "--out", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("kbs:///REPO/TYPE/TAG");
    }

    private String[] admin(String... command) {
        return concat(command, new String[] {"--broker", url, "--admin-token-file", token.toString()});
    }

    /** A warning guest asks for what the default resource policy keeps for affirming results: stderr names the checks that failed. */
    @Test
    void aRefusedSecretNamesTheFailingChecksAndExitsOne() throws Exception {
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), "id: cli\ntees: [cove]\nallow_debug: true\n");
        Path secret = Files.writeString(tmp.resolve("secret"), "db password");
        assertThat(cli.run(admin("broker", "policy", "set", "--file", policy.toString()))).isZero();
        assertThat(cli.run(admin("broker", "resource", "put", "app/db/password", "--file", secret.toString()))).isZero();
        assertThat(cli.run("secret", "get", "kbs:///app/db/password", "--broker", url, "--provider", "cove/emulated", "--state-dir",
                state.toString(), "--out", tmp.resolve("got").toString())).as(cli.stderr()).isEqualTo(1);
        assertThat(cli.stderr()).startsWith("guest-attest: broker resource app/db/password refused (403): refused by policy.reference_values,"
                + " resource_policy.rules[0].status: ").doesNotContain("db password");
        assertThat(tmp.resolve("got")).doesNotExist();

        // the operator reads why: the refusal's line names its session, TEE, resource and checks
        assertThat(cli.run(admin("broker", "audit", "--outcome", "refused"))).as(cli.stderr()).isZero();
        assertThat(cli.stdout().lines().toList()).singleElement().satisfies(l -> assertThat(l)
                .matches("^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z  refused  resource  session=\\S+  tee=cove  resource=app/db/password"
                        + "  checks=policy.reference_values,resource_policy.rules\\[0\\].status  \\(refused-403\\): refused by .*"));
        assertThat(cli.run(admin("broker", "audit", "--json"))).isZero();
        com.fasterxml.jackson.databind.JsonNode audit = JsonSchemas.valid("broker-audit", cli.stdout());
        assertThat(audit.get("entries")).extracting(e -> e.get("outcome").asText())
                .containsExactly("changed", "changed", "challenged", "attested", "refused");
        assertThat(audit.get("entries").get(3).get("checks").toString()).isEqualTo("[\"policy.reference_values\"]");
        assertThat(cli.stdout()).doesNotContain("db password").doesNotContain("an-admin-token-for-the-cli-test");
        assertThat(cli.run(admin("broker", "audit", "--outcome", "attested", "--limit", "1", "--json"))).isZero();
        assertThat(JsonSchemas.valid("broker-audit", cli.stdout()).get("entries")).hasSize(1);
        assertThat(cli.run(admin("broker", "audit", "--since", "2999-01-01T00:00:00Z", "--json"))).isZero();
        assertThat(JsonSchemas.valid("broker-audit", cli.stdout()).get("entries")).isEmpty();
        // a path the broker holds nothing at, asked for by a guest the policy lets read there: the caller's input (2), named
        Path rp = Files.writeString(tmp.resolve("rp.yaml"), "rules:\n  - {path: \"app/*/*\", status: warning}\n");
        assertThat(cli.run(admin("broker", "resource-policy", "set", "--file", rp.toString()))).isZero();
        assertThat(cli.run("secret", "get", "kbs:///app/db/none", "--broker", url, "--provider", "cove/emulated", "--state-dir",
                state.toString(), "--out", tmp.resolve("got").toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("kbs:///app/db/none").contains("no such resource");
    }

    @Test
    void resourcesAreListedAndDeletedAndPoliciesReadBack() throws Exception {
        String policyText = "id: cli\ntees: [cove]\nallow_debug: true\n";
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), policyText);
        Path rp = Files.writeString(tmp.resolve("rp.json"), "{\"rules\": [{\"path\": \"app/*/*\", \"status\": \"warning\"}]}");
        Path secret = Files.writeString(tmp.resolve("secret"), "never listed");
        assertThat(cli.run(admin("broker", "policy", "get"))).isEqualTo(2);
        assertThat(cli.stderr()).contains("no attestation policy is set");
        assertThat(cli.run(admin("broker", "resource-policy", "get"))).isEqualTo(2);
        assertThat(cli.stderr()).contains("the default applies");
        assertThat(cli.run(admin("broker", "policy", "set", "--file", policy.toString()))).isZero();
        assertThat(cli.run(admin("broker", "resource-policy", "set", "--file", rp.toString()))).isZero();
        assertThat(cli.run(admin("broker", "policy", "get"))).isZero();
        assertThat(cli.stdout()).isEqualTo(policyText);
        assertThat(cli.run(admin("broker", "resource-policy", "get"))).isZero();
        assertThat(cli.stdout()).isEqualTo("{\"rules\": [{\"path\": \"app/*/*\", \"status\": \"warning\"}]}\n");

        assertThat(cli.run(admin("broker", "resource", "list", "--json"))).isZero();
        assertThat(JsonSchemas.valid("broker-resource-list", cli.stdout()).get("resources")).isEmpty();
        for (String p : new String[] {"app/db/password", "app/disk/root"}) {
            assertThat(cli.run(admin("broker", "resource", "put", p, "--file", secret.toString()))).isZero();
        }
        assertThat(cli.run(admin("broker", "resource", "list"))).isZero();
        assertThat(cli.stdout()).isEqualTo("app/db/password\napp/disk/root\n");
        assertThat(cli.run(admin("broker", "resource", "list", "--json"))).isZero();
        assertThat(JsonSchemas.valid("broker-resource-list", cli.stdout()).get("resources").toString())
                .isEqualTo("[\"app/db/password\",\"app/disk/root\"]");
        assertThat(cli.stdout()).doesNotContain("never listed");
        assertThat(cli.run(admin("broker", "resource", "delete", "app/db/password"))).isZero();
        assertThat(cli.stdout()).isEqualTo("deleted app/db/password\n");
        assertThat(cli.run(admin("broker", "resource", "delete", "app/db/password"))).isEqualTo(2);
        assertThat(cli.stderr()).contains("no resource app/db/password");
        assertThat(cli.run(admin("broker", "resource", "delete", "../etc/passwd"))).isEqualTo(2);
        assertThat(cli.run(admin("broker", "resource", "list"))).isZero();
        assertThat(cli.stdout()).isEqualTo("app/disk/root\n");
    }

    /** Attacks on the read side: a wrong credential is refused (1) and shown nothing; nor is a guest's token an admin's. */
    @Test
    void aWrongCredentialReadsNothing() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "not for you");
        assertThat(cli.run(admin("broker", "resource", "put", "app/db/password", "--file", secret.toString()))).isZero();
        Path wrong = Files.writeString(tmp.resolve("wrong"), "an-admin-token-for-the-cli-tesT");
        for (String[] command : new String[][] {{"broker", "audit"}, {"broker", "resource", "list"}, {"broker", "policy", "get"},
                {"broker", "resource-policy", "get"}, {"broker", "resource", "delete", "app/db/password"}}) {
            assertThat(cli.run(concat(command, new String[] {"--broker", url, "--admin-token-file", wrong.toString()}))).as(String.join(" ", command))
                    .isEqualTo(1);
            assertThat(cli.stderr()).contains("refused (401)");
            assertThat(cli.stdout()).isEmpty();
        }
        assertThat(cli.run(admin("broker", "resource", "list"))).isZero();
        assertThat(cli.stdout()).isEqualTo("app/db/password\n");
    }

    @Test
    void badAuditOptionsAndAnUnreachableBrokerSayWhat() throws Exception {
        assertThat(cli.run(admin("broker", "audit", "--since", "yesterday"))).isEqualTo(2);
        assertThat(cli.stderr()).contains("--since: 'yesterday' is not an ISO-8601 instant");
        assertThat(cli.run(admin("broker", "audit", "--outcome", "maybe"))).isEqualTo(2);
        assertThat(cli.stderr()).contains("--outcome: 'maybe' is not one of").contains("released");
        assertThat(cli.run(admin("broker", "audit", "--limit", "0"))).isEqualTo(2);
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(cli.run("broker", "resource", "list", "--broker", "http://127.0.0.1:" + closed, "--admin-token-file", token.toString()))
                .isEqualTo(3);
        assertThat(cli.stderr()).contains("resource list: 127.0.0.1:" + closed + " cannot be reached (ConnectException: ").doesNotContain("null");
        assertThat(cli.run("secret", "get", "kbs:///a/b/c", "--broker", "http://127.0.0.1:" + closed, "--provider", "cove/emulated",
                "--state-dir", state.toString(), "--out", tmp.resolve("x").toString())).isEqualTo(3);
        assertThat(cli.stderr()).contains("broker auth: 127.0.0.1:" + closed + " cannot be reached (ConnectException: ").doesNotContain("null");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
