// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.verify.Appraiser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the CLI reaches a broker: over HTTPS trusting the broker's own CA ({@code --broker-ca}, on the
 * admin commands as on secret get), through the proxies the environment names (a real proxy on
 * loopback sees the requests; loopback and NO_PROXY hosts go direct), and what {@code broker serve}
 * logs of its decisions (one JSON line each on stdout, with no secret or token in it).
 */
class BrokerReachCliTest {
    private static final String ADMIN_TOKEN = "an-admin-token-for-the-reach-test";
    private static final String SECRET = "the-secret-behind-the-proxy";
    @TempDir
    static Path tmp;
    private static Path state;
    private static Path token;
    private static Path ca;
    private static Database db;
    private static BrokerServer http;
    private static BrokerServer https;
    private final CliRun cli = new CliRun();

    @BeforeAll
    static void start() throws Exception {
        state = tmp.resolve("state");
        Path p12 = tmp.resolve("broker.p12");
        // the name a proxy resolves (to loopback), and the address a direct call uses
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=broker.test", "-ext",
                "SAN=dns:broker.test,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate("broker");
        ca = Files.writeString(tmp.resolve("broker-ca.pem"), Pem.encode("CERTIFICATE", cert.getEncoded()));
        token = Files.writeString(tmp.resolve("admin-token"), ADMIN_TOKEN + "\n");

        BrokerConfig config = EmulatorTrust.apply(ProviderContext.defaults().withStateDir(state), BrokerConfig.DEFAULT);
        db = Database.open(tmp.resolve("store").toString());
        Broker broker = new Broker(db, Kek.loadOrCreate(tmp.resolve("kek")), config, Appraiser.discover(), Clock.systemUTC());
        broker.setAttestationPolicy("id: reach\ntees: [cove]\nallow_debug: true\n".getBytes(StandardCharsets.UTF_8), "test");
        broker.setResourcePolicy("rules:\n  - {path: \"app/*/*\", status: warning}\n".getBytes(StandardCharsets.UTF_8), "test");
        broker.putResource("app/db/password", SECRET.getBytes(StandardCharsets.UTF_8), "test");
        byte[] admin = ADMIN_TOKEN.getBytes(StandardCharsets.UTF_8);
        http = BrokerServer.start(broker, "127.0.0.1", 0, admin, Optional.empty());
        https = BrokerServer.start(broker, "127.0.0.1", 0, admin, Optional.of(new BrokerServer.Tls(p12, "changeit")));
    }

    @AfterAll
    static void stop() {
        https.close();
        http.close();
        db.close();
    }

    /** The CLI in a process of its own, with exactly these proxy variables (none inherited). */
    private static Run cliProcess(Map<String, String> env, String... args) throws Exception {
        List<String> command = LoopbackBroker.cliProcess();
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        for (String v : List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                err.complete("");
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    @Test
    void theAdminCommandsTrustTheBrokersOwnCa() {
        cli.capture();
        try {
            String url = https.uri().toString();
            assertThat(cli.run("broker", "resource", "list", "--broker", url, "--admin-token-file", token.toString(), "--broker-ca", ca.toString()))
                    .as(cli.stderr()).isZero();
            assertThat(cli.stdout()).isEqualTo("app/db/password\n");
            // without it the JDK's CAs do not know the broker: the environment's failure (3), saying which and why
            assertThat(cli.run("broker", "resource", "list", "--broker", url, "--admin-token-file", token.toString())).isEqualTo(3);
            assertThat(cli.stderr()).contains("resource list: 127.0.0.1:" + https.uri().getPort() + " cannot be reached (SSLHandshakeException: ");
            assertThat(cli.run("broker", "audit", "--broker", url, "--admin-token-file", token.toString(), "--broker-ca",
                    tmp.resolve("missing.pem").toString())).isEqualTo(2);
            assertThat(cli.stderr()).contains("--broker-ca");
        } finally {
            cli.restore();
        }
    }

    @Test
    void httpsGoesThroughTheProxyAsATunnelAndTheSecretArrives() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.start()) {
            String url = "https://broker.test:" + https.uri().getPort();
            Map<String, String> env = Map.of("HTTPS_PROXY", proxy.url());
            Run list = cliProcess(env, "broker", "resource", "list", "--broker", url, "--admin-token-file", token.toString(), "--broker-ca",
                    ca.toString());
            assertThat(list.exit()).as(list.stderr()).isZero();
            assertThat(list.stdout()).isEqualTo("app/db/password\n");
            Path out = tmp.resolve("released");
            Run get = cliProcess(env, "secret", "get", "kbs:///app/db/password", "--broker", url, "--broker-ca", ca.toString(), "--provider",
                    "cove/emulated", "--state-dir", state.toString(), "--out", out.toString());
            assertThat(get.exit()).as(get.stderr()).isZero();
            assertThat(Files.readString(out)).isEqualTo(SECRET);
            assertThat(proxy.seen()).isNotEmpty().allSatisfy(l -> assertThat(l).isEqualTo("CONNECT broker.test:" + https.uri().getPort()
                    + " HTTP/1.1"));
        }
    }

    @Test
    void httpIsForwardedLoopbackAndNoProxyHostsGoDirect() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.start()) {
            int port = http.uri().getPort();
            Run forwarded = cliProcess(Map.of("http_proxy", proxy.url()), "broker", "resource", "list", "--broker", "http://broker.test:" + port,
                    "--admin-token-file", token.toString(), "--json");
            assertThat(forwarded.exit()).as(forwarded.stderr()).isZero();
            assertThat(JsonSchemas.valid("broker-resource-list", forwarded.stdout()).get("resources").get(0).asText()).isEqualTo("app/db/password");
            assertThat(proxy.seen()).containsExactly("GET http://broker.test:" + port + "/kbs/v0/resources HTTP/1.1");

            // loopback never goes to a proxy (whose loopback is not this one), nor does a host NO_PROXY names
            Run direct = cliProcess(Map.of("HTTP_PROXY", proxy.url()), "broker", "resource", "list", "--broker", http.uri().toString(),
                    "--admin-token-file", token.toString());
            assertThat(direct.exit()).as(direct.stderr()).isZero();
            Run excluded = cliProcess(Map.of("HTTP_PROXY", proxy.url(), "NO_PROXY", "other.example,.test"), "broker", "resource", "list",
                    "--broker", "http://broker.test:" + port, "--admin-token-file", token.toString());
            assertThat(excluded.exit()).as("broker.test resolves nowhere but through the proxy").isEqualTo(3);
            assertThat(excluded.stderr()).contains("resource list: broker.test:" + port + " cannot be reached (")
                    .doesNotContain("via proxy").doesNotContain("null");
            assertThat(proxy.seen()).hasSize(1);

            // a proxy the JDK cannot use is named, not silently bypassed: the caller's input (2)
            Run socks = cliProcess(Map.of("HTTPS_PROXY", "socks5://127.0.0.1:1080"), "broker", "resource", "list", "--broker",
                    https.uri().toString(), "--admin-token-file", token.toString(), "--broker-ca", ca.toString());
            assertThat(socks.exit()).isEqualTo(2);
            assertThat(socks.stderr()).contains("HTTPS_PROXY: names a socks5:// proxy");
        }
    }

    /** {@code broker serve}: beside its start line, each decision is one JSON line on stdout, never the admin token or a secret. */
    @Test
    void serveLogsEachDecisionAsOneJsonLine() throws Exception {
        Path serveState = tmp.resolve("serve");
        List<String> command = LoopbackBroker.cliProcess();
        Path policy = Files.writeString(tmp.resolve("serve-policy.yaml"), "id: serve\ntees: [cove]\n");
        command.addAll(List.of("broker", "serve", "--port", "0", "--state-dir", serveState.toString(), "--policy", policy.toString()));
        Process serve = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (java.io.IOException ended) {
                // the broker stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            // the policy set at start is the first decision, before the start line
            String first = lines.poll(60, TimeUnit.SECONDS);
            assertThat(first).as("the --policy decision").isNotNull();
            JsonNode atStart = new ObjectMapper().readTree(first);
            assertThat(atStart.get("audit_outcome").asText()).isEqualTo("attestation-policy-set");
            assertThat(atStart.get("client").asText()).isEqualTo("serve --policy");
            String started = lines.poll(60, TimeUnit.SECONDS);
            assertThat(started).as("the start line").isNotNull().contains("listening on");
            String url = started.replaceFirst(".*listening on (\\S+) .*", "$1");
            Path adminToken = serveState.resolve("broker").resolve("admin-token");
            Path secret = Files.writeString(tmp.resolve("served-secret"), SECRET);
            cli.capture();
            try {
                assertThat(cli.run("broker", "resource", "put", "app/db/password", "--file", secret.toString(), "--broker", url,
                        "--admin-token-file", adminToken.toString())).as(cli.stderr()).isZero();
                assertThat(cli.run("broker", "audit", "--broker", url, "--admin-token-file", token.toString())).isEqualTo(1);
            } finally {
                cli.restore();
            }
            List<JsonNode> decisions = new ArrayList<>();
            List<String> raw = new ArrayList<>();
            while (decisions.size() < 2) {
                String l = lines.poll(30, TimeUnit.SECONDS);
                assertThat(l).as("a decision's line").isNotNull();
                raw.add(l);
                decisions.add(new ObjectMapper().readTree(l));
            }
            assertThat(decisions.get(0).get("event").asText()).isEqualTo("admin");
            assertThat(decisions.get(0).get("outcome").asText()).isEqualTo("changed");
            assertThat(decisions.get(0).get("audit_outcome").asText()).isEqualTo("resource-set");
            assertThat(decisions.get(0).get("resource").asText()).isEqualTo("app/db/password");
            assertThat(decisions.get(0).get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(decisions.get(1).get("outcome").asText()).isEqualTo("refused");
            assertThat(decisions.get(1).get("audit_outcome").asText()).isEqualTo("refused-401");
            String admin = Files.readString(adminToken).strip();
            assertThat(String.join("\n", raw)).doesNotContain(SECRET).doesNotContain(admin).doesNotContain(ADMIN_TOKEN);
        } finally {
            serve.destroy();
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
