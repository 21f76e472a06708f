// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.snp.abi.AttestationReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A KDS stand-in on loopback that throttles, misses and stalls the way AMD's does. */
class KdsClientTest {
    @TempDir
    Path cache;
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttle = new AtomicInteger();
    private volatile int status = 200;
    private volatile long delayMs;
    private final byte[] vcek = Vectors.read(RealReportVerificationTest.GO_VCEK);
    private final AttestationReport report = AttestationReport.parse(Vectors.read(RealReportVerificationTest.GO_REPORT));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", x -> {
            requests.add(x.getRequestURI().toString());
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (throttle.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                x.getResponseHeaders().add("Retry-After", "0");
                x.sendResponseHeaders(429, -1);
            } else if (status != 200) {
                x.sendResponseHeaders(status, -1);
            } else {
                x.sendResponseHeaders(200, vcek.length);
                x.getResponseBody().write(vcek);
            }
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private KdsClient client(Duration timeout) {
        return new KdsClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), cache, timeout, 4, Duration.ofMillis(10),
                Duration.ofMillis(100), Clock.systemUTC());
    }

    @Test
    void aVcekIsFetchedOnceWithAmdsUrlAndThenServedFromTheCache() {
        byte[] got = client(Duration.ofSeconds(5)).vcek(Product.MILAN, report.chipId(), report.reportedTcb());
        assertThat(got).isEqualTo(vcek);
        assertThat(requests).containsExactly("/vcek/v1/Milan/" + report.chipId().hex() + "?blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=68");
        assertThat(client(Duration.ofSeconds(5)).vcek(Product.MILAN, report.chipId(), report.reportedTcb())).isEqualTo(vcek);
        assertThat(requests).hasSize(1);
    }

    @Test
    void turinUrlsUseEightBytesOfHwidAndTheFmcSpl() {
        client(Duration.ofSeconds(5)).vcek(Product.TURIN, report.chipId(), report.reportedTcb());
        assertThat(requests.get(0)).startsWith("/vcek/v1/Turin/" + report.chipId().hex().substring(0, 16) + "?").endsWith("&fmcSPL=02");
    }

    @Test
    void throttlingIsRetriedThenGivenUpWithAClearReason() {
        throttle.set(2);
        assertThat(client(Duration.ofSeconds(5)).vcek(Product.MILAN, report.chipId(), report.reportedTcb())).isEqualTo(vcek);
        assertThat(requests).hasSize(3);
        throttle.set(100);
        assertThatThrownBy(() -> client(Duration.ofSeconds(5)).certChain(Product.GENOA, false))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BUSY))
                .hasMessageContaining("still was after 4 attempts");
    }

    @Test
    void notFoundIsToldApartFromATimeout() {
        status = 404;
        assertThatThrownBy(() -> client(Duration.ofSeconds(5)).vcek(Product.MILAN, report.chipId(), report.reportedTcb()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_NOT_FOUND))
                .hasMessageContaining("HTTP 404");
        status = 200;
        delayMs = 2_000;
        long start = System.nanoTime();
        assertThatThrownBy(() -> client(Duration.ofMillis(300)).vcek(Product.GENOA, report.chipId(), report.reportedTcb()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("did not answer within 300 ms");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_900);
    }

    @Test
    void somethingThatIsNotACertificateIsNeverCached() {
        status = 200;
        HttpServer other = server;
        other.removeContext("/");
        other.createContext("/", x -> {
            byte[] junk = "<html>maintenance</html>".getBytes();
            x.sendResponseHeaders(200, junk.length);
            x.getResponseBody().write(junk);
            x.close();
        });
        assertThatThrownBy(() -> client(Duration.ofSeconds(5)).vcek(Product.MILAN, report.chipId(), report.reportedTcb()))
                .hasMessageStartingWith("VCEK from KDS: not an X.509 certificate");
        assertThat(cache.resolve("vcek/Milan")).doesNotExist();
    }
}
