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
import java.time.Duration;
import java.util.List;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.DirectoryStore;
import dev.guestattest.core.collateral.Origins;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A KDS stand-in on loopback that throttles, misses and stalls the way AMD's does. */
class KdsCollateralTest {
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

    private CollateralService service(Duration timeout) {
        return CollateralService.builder().origins(Origins.none().with(Origins.KDS, URI.create("http://127.0.0.1:" + server.getAddress()
                .getPort()))).store(new DirectoryStore(cache)).timeout(timeout).retries(4, Duration.ofSeconds(2)).build();
    }

    private final KdsCollateral kds = new KdsCollateral(AmdRoots.amd());

    @Test
    void aVcekIsFetchedOnceWithAmdsUrlCheckedAndThenServedFromTheCache() {
        byte[] got = service(Duration.ofSeconds(5)).get(kds.vcek(Product.MILAN, report.chipId(), report.reportedTcb())).value();
        assertThat(got).isEqualTo(vcek);
        assertThat(requests).containsExactly("/vcek/v1/Milan/" + report.chipId().hex() + "?blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=68");
        CollateralService.Collected<byte[]> again = service(Duration.ofSeconds(5)).get(kds.vcek(Product.MILAN, report.chipId(),
                report.reportedTcb()));
        assertThat(again.value()).isEqualTo(vcek);
        assertThat(again.source()).startsWith("cache");
        assertThat(requests).hasSize(1);
    }

    @Test
    void turinUrlsUseEightBytesOfHwidAndTheFmcSpl() {
        assertThatThrownBy(() -> service(Duration.ofSeconds(5)).get(kds.vcek(Product.TURIN, report.chipId(), report.reportedTcb())))
                .hasMessageContaining("refused and not cached"); // the Milan VCEK served is not the Turin one asked for
        assertThat(requests.get(0)).startsWith("/vcek/v1/Turin/" + report.chipId().hex().substring(0, 16) + "?").endsWith("&fmcSPL=02");
    }

    @Test
    void throttlingIsRetriedAfterRetryAfterThenGivenUpWithAClearReason() {
        throttle.set(2);
        assertThat(service(Duration.ofSeconds(5)).get(kds.vcek(Product.MILAN, report.chipId(), report.reportedTcb())).value())
                .isEqualTo(vcek);
        assertThat(requests).hasSize(3);
        throttle.set(100);
        assertThatThrownBy(() -> service(Duration.ofSeconds(5)).get(kds.crl(Product.GENOA, false)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BUSY))
                .hasMessageContaining("is throttling (HTTP 429) the Genoa VCEK CRL after 4 attempt(s)");
    }

    @Test
    void notFoundIsToldApartFromATimeout() {
        status = 404;
        assertThatThrownBy(() -> service(Duration.ofSeconds(5)).get(kds.vcek(Product.MILAN, report.chipId(), report.reportedTcb())))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_NOT_FOUND))
                .hasMessageContaining("HTTP 404");
        status = 200;
        delayMs = 2_000;
        long start = System.nanoTime();
        assertThatThrownBy(() -> service(Duration.ofMillis(300)).get(kds.vcek(Product.GENOA, report.chipId(), report.reportedTcb())))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.IO_ERROR))
                .hasMessageContaining("did not answer within 300 ms").hasMessageEndingWith("; no copy is cached");
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
        assertThatThrownBy(() -> service(Duration.ofSeconds(5)).get(kds.vcek(Product.MILAN, report.chipId(), report.reportedTcb())))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_REJECTED))
                .hasMessageContaining("was refused and not cached: VCEK from KDS: not an X.509 certificate");
        assertThat(cache.resolve("snp")).doesNotExist();
    }
}
