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
        assertThat(cli.run("broker", "resource", "put", "a/b/c", "--file", wrong.toString(), "--broker", url, "--admin-token-file",
                wrong.toString())).isEqualTo(3);
        assertThat(cli.stderr()).contains("refused (401)");
        assertThat(cli.run("secret", "get", "kbs:///a/b/c", "--broker", url, "--provider", "cove/emulated", "--state-dir", state.toString(),
                "--out", tmp.resolve("x").toString())).isEqualTo(3);
        assertThat(cli.stderr()).contains("no attestation policy is set");
        assertThat(Files.exists(tmp.resolve("x"))).isFalse();
        assertThat(cli.run("secret", "get", "https://a/b/c", "--broker", url, "--out", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("kbs:///REPO/TYPE/TAG");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
