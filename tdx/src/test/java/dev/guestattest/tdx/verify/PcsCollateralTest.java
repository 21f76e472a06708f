// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.DirectoryStore;
import dev.guestattest.core.collateral.Document;
import dev.guestattest.core.collateral.Origins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PCS-compatible service on loopback, serving the emulator's collateral the way Intel's PCS serves its own. */
class PcsCollateralTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    @TempDir
    Path tmp;
    private TdxEmulatedProvider tdx;
    private HttpServer server;
    private Collateral collateral;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        tdx = TdxEmulatedProvider.open(ProviderContext.defaults().withStateDir(tmp.resolve("state"))
                .withClock(Clock.fixed(NOW.minusSeconds(60), ZoneOffset.UTC)));
        collateral = EmulatedCollateral.issue(tdx.platform(), NOW.minusSeconds(60), Duration.ofDays(30), false, new SecureRandom());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/tdx/certification/v4/tcb", x -> json(x, "{\"tcbInfo\":" + collateral.tcbInfo() + ",\"signature\":\""
                + collateral.tcbInfoSignature().hex() + "\"}", "TCB-Info-Issuer-Chain", collateral.tcbInfoIssuerChain()));
        server.createContext("/tdx/certification/v4/qe/identity", x -> json(x, "{\"enclaveIdentity\":" + collateral.qeIdentity()
                + ",\"signature\":\"" + collateral.qeIdentitySignature().hex() + "\"}", "SGX-Enclave-Identity-Issuer-Chain",
                collateral.qeIdentityIssuerChain()));
        server.createContext("/sgx/certification/v4/pckcrl", x -> send(x, collateral.pckCrl().toArray(), "SGX-PCK-CRL-Issuer-Chain",
                collateral.pckCrlIssuerChain()));
        server.createContext("/sgx/certification/v4/rootcacrl", x -> send(x, collateral.rootCaCrl().toArray(), null, null));
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        tdx.close();
    }

    private void json(HttpExchange x, String body, String header, String chain) throws IOException {
        send(x, body.getBytes(StandardCharsets.UTF_8), header, chain);
    }

    private void send(HttpExchange x, byte[] body, String header, String chain) throws IOException {
        requests.incrementAndGet();
        if (header != null) {
            x.getResponseHeaders().add(header, URLEncoder.encode(chain, StandardCharsets.UTF_8));
        }
        if (status != 200) {
            x.getResponseHeaders().add("Error-Message", "No cache for this FMSPC");
            x.sendResponseHeaders(status, -1);
            x.close();
            return;
        }
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    private int port;

    private PcsCollateral source(Instant at) {
        CollateralService service = CollateralService.builder().origins(Origins.none().with(Origins.PCS, URI.create("http://127.0.0.1:"
                + port))).store(new DirectoryStore(tmp.resolve("cache"))).timeout(Duration.ofSeconds(5)).clock(Clock.fixed(at, ZoneOffset.UTC))
                .build();
        return new PcsCollateral(service, TrustAnchors.intel().plus(tdx.platform().rootCertificate()));
    }

    private TdxVerification verify(CollateralSource source) {
        return TdxVerifier.builder().trust(tdx.platform().rootCertificate()).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()
                .verify(tdx.quote(tdx.tdReport(Bytes.zeros(64))), source);
    }

    @Test
    void fetchedCollateralIsTheServedBytesAndVerifies() {
        PcsCollateral pcs = source(NOW);
        TdxVerification v = verify(pcs);
        assertThat(v.result().failures()).isEmpty();
        assertThat(requests).hasValue(4);
        Collateral got = pcs.forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM);
        assertThat(got).isEqualTo(collateral); // the signed JSON exactly as served, never re-encoded
        assertThat(requests).as("served from memory while fresh").hasValue(4);
        assertThat(tmp.resolve("cache/tdx/tcb-info/" + tdx.platform().tcb().fmspc().hex().toUpperCase() + ".json")).exists();
        assertThat(tmp.resolve("cache/tdx/pck-crl/platform.json")).exists();
    }

    @Test
    void aFreshDiskCacheIsUsedWhenTheServiceIsDownAndAStaleOneIsNot() {
        source(NOW).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM);
        server.stop(0);
        server = null;
        assertThat(source(NOW.plus(Duration.ofDays(1))).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM)).isEqualTo(collateral);
        assertThatThrownBy(() -> source(NOW.plus(Duration.ofDays(31))).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_EXPIRED))
                .hasMessageStartingWith("http://127.0.0.1:").hasMessageContaining("is unreachable")
                .hasMessageContaining("the cached copy went stale at");
    }

    @Test
    void aStaleCacheIsRefetched() throws IOException {
        source(NOW).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM);
        Files.writeString(tmp.resolve("cache/tdx/tcb-info/" + tdx.platform().tcb().fmspc().hex().toUpperCase() + ".json"), "damaged");
        source(NOW).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM);
        assertThat(requests).as("only the damaged TCB Info is fetched again").hasValue(5);
    }

    @Test
    void aCachedDocumentAlteredOnDiskIsCheckedAgainIgnoredAndRefetched() throws IOException {
        source(NOW).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM);
        Path f = tmp.resolve("cache/tdx/tcb-info/" + tdx.platform().tcb().fmspc().hex().toUpperCase() + ".json");
        Document stored = Document.fromJson("test", Files.readAllBytes(f));
        String body = new String(stored.body(), StandardCharsets.UTF_8);
        String altered = body.replaceFirst("\"tcbStatus\":\"OutOfDate\"", "\"tcbStatus\":\"UpToDate\"");
        assertThat(altered).as("the emulated TCB Info has an OutOfDate level to promote").isNotEqualTo(body);
        Files.write(f, new Document(stored.key(), stored.source(), stored.fetchedAt(), stored.freshUntil().plus(Duration.ofDays(3650)),
                stored.headers(), altered.getBytes(StandardCharsets.UTF_8)).toJson());
        Collateral got = source(NOW).forPlatform(tdx.platform().tcb().fmspc(), PckCa.PLATFORM);
        assertThat(got.tcbInfo()).as("the signed bytes as served, not the altered copy").isEqualTo(collateral.tcbInfo());
        assertThat(requests).as("only the TCB Info is fetched again").hasValue(5);
    }

    @Test
    void anHttpErrorIsATypedFailureThatVerificationNames() {
        status = 404;
        TdxVerification v = verify(source(NOW));
        assertThat(v.trusted()).isFalse();
        assertThat(v.result().failures()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("collateral");
            assertThat(c.detail()).contains("has no TCB Info for FMSPC").contains("(HTTP 404: No cache for this FMSPC)")
                    .endsWith("; no copy is cached");
        });
    }

    @Test
    void theSignedObjectIsCutFromTheBodyByteForByte() {
        String body = "{ \"signature\" : \"00\", \"tcbInfo\" :{\"a\": [1, {\"b\":\"}\"}] ,\"c\":2}  }";
        assertThat(Collateral.rawMember(body, "tcbInfo", "http://x")).isEqualTo("{\"a\": [1, {\"b\":\"}\"}] ,\"c\":2}");
        assertThatThrownBy(() -> Collateral.rawMember("{\"x\":{}}", "tcbInfo", "http://x"))
                .hasMessage("response from http://x: has no 'tcbInfo' object");
    }
}
