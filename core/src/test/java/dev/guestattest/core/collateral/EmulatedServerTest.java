// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulators' HTTP listener with a toy service: routing, query decoding, status codes, faults, counting, shutdown. */
class EmulatedServerTest {
    /** Signed-looking TCB Info: the tamper fault must hit a digit inside the "tcbInfo" object. */
    private static final String TCB_BODY = "{\"tcbInfo\":{\"id\":\"TDX\",\"tcbEvaluationDataNumber\":19,\"fmspc\":\"00906ED50000\"},\"signature\":\"ab\"}";
    private static final EmulatedService TOY = new EmulatedService() {
        @Override
        public String description() {
            return "toy";
        }

        @Override
        public Optional<ServedDocument> get(String path, Map<String, String> query) {
            return switch (path) {
                case "/echo" -> Optional.of(ServedDocument.ok(Map.of("X-Query", new TreeMap<>(query).toString()),
                        "hello".getBytes(StandardCharsets.UTF_8)));
                case "/tcb" -> Optional.of(ServedDocument.ok(Map.of("Content-Type", "application/json"), TCB_BODY.getBytes(StandardCharsets.UTF_8)));
                case "/broken" -> throw new IllegalStateException("boom on\ntwo lines");
                default -> Optional.empty();
            };
        }
    };

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private EmulatedServer server;

    @BeforeEach
    void start() {
        server = EmulatedServer.start("127.0.0.1", 0, List.of(TOY), EmulatedServer.Faults.none(), log::add);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> send(String method, String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
        return send("GET", pathAndQuery);
    }

    @Test
    void aServicePathIsAnsweredWithItsHeadersAndTheQueryDecodedAndEachRequestIsLogged() throws Exception {
        assertThat(server.uri().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
        HttpResponse<byte[]> r = get("/echo?name=a%20b&plus=%2B+x&flag&name=second");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(r.headers().firstValue("X-Query")).contains("{flag=, name=a b, plus=+ x}");
        assertThat(log).containsExactly("GET /echo?name=a%20b&plus=%2B+x&flag&name=second -> 200 (5 bytes)");
    }

    @Test
    void anUnknownPathIs404AndAnythingButGetIs405() throws Exception {
        HttpResponse<byte[]> missing = get("/nope?x=1");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Error-Code")).contains("NotFound");
        assertThat(missing.headers().firstValue("Error-Message")).contains("no such path: /nope");
        HttpResponse<byte[]> post = send("POST", "/echo");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET");
        HttpResponse<byte[]> broken = get("/broken");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.headers().firstValue("Error-Message")).contains("java.lang.IllegalStateException: boom on two lines");
        assertThat(log).containsExactly("GET /nope?x=1 -> 404 (0 bytes)", "POST /echo -> 405 (0 bytes)",
                "GET /broken -> 500 (0 bytes): java.lang.IllegalStateException: boom on two lines");
        assertThat(server.requests("/echo")).as("only GETs are counted").isZero();
        assertThat(server.requests("/")).isEqualTo(2);
    }

    @Test
    void theFirstRequestsAreThrottledWithRetryAfterAndEveryGetIsCounted() throws Exception {
        server.setFaults(EmulatedServer.Faults.throttled(2, 7));
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = get("/echo");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("7");
        }
        assertThat(get("/echo").statusCode()).isEqualTo(200);
        assertThat(get("/tcb").statusCode()).isEqualTo(200);
        assertThat(server.requests("/echo")).isEqualTo(3);
        assertThat(server.requests("/tcb")).isEqualTo(1);
        assertThat(server.requests("/")).isEqualTo(4);
        assertThat(server.requests("/other")).isZero();
        server.setFaults(EmulatedServer.Faults.throttled(1, 0));
        assertThat(get("/echo").statusCode()).as("a new throttle counts from when it is set").isEqualTo(429);
        assertThat(get("/echo").statusCode()).isEqualTo(200);
    }

    @Test
    void tamperingChangesOneDigitInsideTheSignedTcbInfoObjectAndCanBeSwitchedWhileRunning() throws Exception {
        byte[] good = get("/tcb").body();
        assertThat(new String(good, StandardCharsets.UTF_8)).isEqualTo(TCB_BODY);
        server.setFaults(EmulatedServer.Faults.tamperingTcbInfo());
        byte[] bad = get("/tcb").body();
        assertThat(bad).hasSameSizeAs(good);
        int differs = -1;
        for (int i = 0; i < good.length; i++) {
            if (good[i] != bad[i]) {
                assertThat(differs).as("exactly one byte differs").isEqualTo(-1);
                differs = i;
            }
        }
        int objectStart = TCB_BODY.indexOf('{', 1);
        int objectEnd = TCB_BODY.indexOf('}');
        assertThat(differs).isBetween(objectStart, objectEnd);
        assertThat(new ObjectMapper().readTree(bad).path("tcbInfo").path("tcbEvaluationDataNumber").asInt()).isEqualTo(10);
        assertThat(new String(get("/echo").body(), StandardCharsets.UTF_8)).as("other documents are left alone").isEqualTo("hello");
        server.setFaults(EmulatedServer.Faults.none());
        assertThat(get("/tcb").body()).isEqualTo(good);
    }

    @Test
    void closeReleasesThePortPromptly() throws Exception {
        int port = server.uri().getPort();
        assertThat(get("/echo").statusCode()).isEqualTo(200); // a kept-alive connection must not hold the server open
        long start = System.nanoTime();
        server.close();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        EmulatedServer again = EmulatedServer.start("127.0.0.1", port, List.of(TOY), EmulatedServer.Faults.none(), log::add);
        try {
            assertThat(again.uri().getPort()).isEqualTo(port);
        } finally {
            again.close();
        }
    }

    @Test
    void aBadPortOrFaultIsRefusedUpFront() {
        assertThatThrownBy(() -> EmulatedServer.start("127.0.0.1", 70_000, List.of(TOY), EmulatedServer.Faults.none(), log::add))
                .hasMessage("port: 70000 is outside 0..65535");
        assertThatThrownBy(() -> EmulatedServer.Faults.throttled(-1, 1)).hasMessage("throttled requests: -1 is negative");
        assertThatThrownBy(() -> EmulatedServer.start("127.0.0.1", server.uri().getPort(), List.of(TOY), EmulatedServer.Faults.none(), log::add))
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + server.uri().getPort());
    }
}
