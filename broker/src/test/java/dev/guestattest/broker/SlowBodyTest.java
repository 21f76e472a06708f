// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.verify.Appraiser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow bodies (the review's attack: 62 connections sending a byte every 10 s took all 64 workers)
 * replayed on raw sockets from loopback, with deadlines short enough for a test. The legitimate
 * client is a raw socket too, bound to 127.0.0.2 where the attacker's cap must not touch it (all of
 * 127/8 is loopback on Linux). Every socket is closed whatever happens.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowBodyTest {
    private static final String ATTACKER = "127.0.0.1";
    private static final String LEGIT = "127.0.0.2";
    @TempDir
    Path tmp;
    BrokerFixture f;
    final List<Socket> sockets = new ArrayList<>();
    final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    private void start(java.util.function.UnaryOperator<BrokerConfig> limits) {
        f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, "store", limits, Appraiser.discover());
    }

    @AfterEach
    void stop() {
        trickle.shutdownNow();
        sockets.forEach(SlowBodyTest::closeQuietly);
        if (f != null) {
            f.close();
        }
    }

    private Socket connect(String from) throws IOException {
        Socket so = new Socket();
        sockets.add(so);
        so.bind(new InetSocketAddress(from, 0));
        so.connect(new InetSocketAddress(f.uri.getHost(), f.uri.getPort()), 2_000);
        so.setSoTimeout(5_000);
        return so;
    }

    /** Opens {@code n} connections from the attacker's address, each with a request whose body's first byte alone is sent. */
    private List<Socket> slowBodies(int n, String path, String cookie) throws IOException {
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket so = connect(ATTACKER);
            so.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: broker\r\nContent-Type: application/json\r\n" + cookie
                    + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            slow.add(so);
        }
        return slow;
    }

    /** Then one more byte on each, every {@code millis}, as the attacker does (a closed socket is skipped). */
    private void trickle(List<Socket> slow, long millis) {
        trickle.scheduleAtFixedRate(() -> slow.forEach(so -> {
            try {
                so.getOutputStream().write(' ');
            } catch (IOException closed) {
                // the broker cut it off
            }
        }), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One legitimate {@code POST /kbs/v0/auth} from {@code from}: its status line and how long the answer took. */
    private record Answer(String statusLine, long millis) {
    }

    private Answer auth(String from) throws IOException {
        long t0 = System.nanoTime();
        try (Socket so = connect(from)) {
            String body = "{\"version\": \"0.4.0\", \"tee\": \"tdx\"}";
            so.getOutputStream().write(("POST /kbs/v0/auth HTTP/1.1\r\nHost: broker\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            return new Answer(statusLine(so), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static String statusLine(Socket so) throws IOException {
        InputStream in = so.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }

    /** What the broker did with a connection: answered (the status line), closed it, or nothing yet. */
    private static String fate(Socket so, int waitMillis) {
        try {
            so.setSoTimeout(waitMillis);
            String line = statusLine(so);
            return line.isEmpty() ? "closed" : line;
        } catch (SocketTimeoutException e) {
            return "open";
        } catch (IOException e) {
            return "closed"; // reset: closed with our bytes unread
        }
    }

    private static void closeQuietly(Socket so) {
        try {
            so.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    @Test
    void eightySlowBodiesHoldNoWorkerAndAreCutAtTheirDeadline() throws Exception {
        // no cap in the way (200 per client): this shows the workers are free, not that the door is shut
        start(BrokerFixture.limits(200, Duration.ofSeconds(3), 1, Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        List<Socket> slow = slowBodies(80, "/kbs/v0/auth", "");
        trickle(slow, 250); // 4 bytes/s: over the 1 byte/s minimum, so only the deadline cuts them
        Thread.sleep(300);
        // 80 bodies trickling, more than the broker's 64 workers: legitimate requests, from the same address, are answered at once
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Answer a = auth(ATTACKER);
            assertThat(a.statusLine()).startsWith("HTTP/1.1 200");
            latencies.add(a.millis());
        }
        assertThat(slow).as("all 80 still held while the legitimate requests were answered").allSatisfy(so -> assertThat(fate(so, 1)).isEqualTo("open"));
        System.out.printf("auth while 80 slow bodies are held: median %d ms, max %d ms%n", median(latencies),
                latencies.stream().max(Long::compare).orElseThrow());
        assertThat(latencies).allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
        // at the deadline every slow body is answered 408 (or its connection closed) and the connection freed
        List<String> fates = new ArrayList<>();
        for (Socket so : slow) {
            fates.add(fate(so, 6_000));
        }
        long cut = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("80 slow bodies cut %d ms after they started (deadline 3000 ms): %d answered 408%n", cut,
                fates.stream().filter(s -> s.startsWith("HTTP/1.1 408")).count());
        assertThat(fates).allSatisfy(s -> assertThat(s).isIn("HTTP/1.1 408 Request Timeout", "closed"));
        assertThat(fates).filteredOn(s -> s.startsWith("HTTP/1.1 408")).isNotEmpty();
        assertThat(cut).isLessThan(8_000);
    }

    @Test
    void aClientPastItsConnectionCapIsTurnedAwayAndOthersAreNot() throws Exception {
        start(BrokerFixture.limits(16, Duration.ofSeconds(20), 0, Duration.ofSeconds(30)));
        List<Socket> slow = slowBodies(80, "/kbs/v0/auth", "");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long closed = 0;
        while (System.nanoTime() < deadline && closed < 64) {
            closed = slow.stream().filter(so -> !fate(so, 20).equals("open")).count();
        }
        assertThat(closed).as("past 16, the attacker's connections are closed as they are accepted").isEqualTo(64);
        assertThat(slow.stream().filter(so -> fate(so, 1).equals("open")).count()).isEqualTo(16);
        // another client is served at once; the attacker's address is not, until it lets go
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Answer a = auth(LEGIT);
            assertThat(a.statusLine()).startsWith("HTTP/1.1 200");
            latencies.add(a.millis());
        }
        System.out.printf("auth from %s while %s holds its 16 (and had 64 more refused): median %d ms, max %d ms%n", LEGIT, ATTACKER,
                median(latencies), latencies.stream().max(Long::compare).orElseThrow());
        assertThat(latencies).allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
        Socket more = connect(ATTACKER);
        more.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: broker\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(fate(more, 2_000)).isEqualTo("closed");
        try (Socket metrics = connect(LEGIT)) {
            metrics.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: broker\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(metrics.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("guestattest_broker_connections_refused_total 65.0");
        }
        // let go, and the address is served again
        slow.forEach(SlowBodyTest::closeQuietly);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String again = "";
        while (System.nanoTime() < until && !again.startsWith("HTTP/1.1 200")) {
            try {
                again = auth(ATTACKER).statusLine();
            } catch (IOException stillClosing) {
                Thread.sleep(50);
            }
        }
        assertThat(again).startsWith("HTTP/1.1 200");
    }

    @Test
    void aBodyUnderTheMinimumRateIsCutLongBeforeItsDeadline() throws Exception {
        start(BrokerFixture.limits(16, Duration.ofSeconds(20), 100, Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        List<Socket> slow = slowBodies(1, "/appraise", "");
        trickle(slow, 300); // about 3 bytes/s against a minimum of 100
        Socket so = slow.get(0);
        so.setSoTimeout(10_000);
        String line = statusLine(so);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(line).startsWith("HTTP/1.1 408");
        assertThat(ms).as("cut by the rate after the 1 s grace, not by the 20 s deadline").isLessThan(5_000);
        String rest = new String(so.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(rest).contains("under the minimum of 100 bytes/s").containsIgnoringCase("connection: close");
    }

    @Test
    void anAttestBodyThatNeverArrivesSpendsItsSessionsNonce() throws Exception {
        start(BrokerFixture.limits(16, Duration.ofSeconds(2), 1, Duration.ofSeconds(30)));
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        var opened = BrokerFixture.HTTP.send(java.net.http.HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/auth"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tee\": \"tdx\"}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String cookie = opened.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String nonce = BrokerFixture.JSON.readTree(opened.body()).get("nonce").asText();
        Socket so = slowBodies(1, "/kbs/v0/attest", "Cookie: " + cookie + "\r\n").get(0);
        assertThat(statusLine(so)).startsWith("HTTP/1.1 408");
        String session = cookie.substring(cookie.indexOf('=') + 1);
        assertThat(f.broker.audit(20)).anySatisfy(e -> {
            assertThat(e.session()).hasValue(session);
            assertThat(e.outcome()).isEqualTo("refused-408");
        });
        // honest evidence for that nonce, sent whole this time: the nonce went with the attempt that never arrived
        var kp = java.security.KeyPairGenerator.getInstance("EC");
        kp.initialize(256);
        var jwk = RcarFlowTest.jwk(kp.generateKeyPair());
        var ev = f.attester("tdx/emulated").evidence(dev.guestattest.verify.freshness.RuntimeData.legacyReportData(nonce, jwk,
                dev.guestattest.verify.freshness.RuntimeData.Hash.SHA384));
        var body = BrokerFixture.JSON.createObjectNode();
        body.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", jwk);
        var p = body.putObject("tee-evidence");
        p.put("evidence", java.util.Base64.getEncoder().encodeToString(ev.bytes().toArray()));
        ev.aux().forEach((k, v) -> p.with("aux").put(k, java.util.Base64.getEncoder().encodeToString(v.toArray())));
        var late = f.call("POST", "/kbs/v0/attest", body.toString(), Optional.empty(), Optional.of(cookie));
        assertThat(late.status()).as(late.body()).isEqualTo(401);
        assertThat(late.json().get("detail").asText()).contains("nonce was already used");
    }
}
