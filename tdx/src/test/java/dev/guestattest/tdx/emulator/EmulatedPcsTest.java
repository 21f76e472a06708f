// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TcbStatus;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated platform's collateral fetched over HTTP at Intel's PCS v4 paths, then verifying an emulated quote. */
class EmulatedPcsTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final Instant ISSUED = NOW.minusSeconds(60);

    @TempDir
    Path state;
    private TdxEmulatedProvider tdx;
    private EmulatedPcs pcs;
    private EmulatedServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tdx = TdxEmulatedProvider.open(ProviderContext.defaults().withStateDir(state).withClock(Clock.fixed(ISSUED, ZoneOffset.UTC)));
        pcs = new EmulatedPcs(tdx.platform(), ISSUED, Duration.ofDays(30), new SecureRandom());
        server = EmulatedServer.start("127.0.0.1", 0, List.of(pcs), EmulatedServer.Faults.none(), line -> { });
    }

    @AfterEach
    void stop() {
        server.close();
        tdx.close();
    }

    private HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> ok(String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = get(pathAndQuery);
        assertThat(r.statusCode()).as(pathAndQuery).isEqualTo(200);
        return r;
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** An issuer chain as a client reads it: URL-decoded; Intel's encoding has no '+' for spaces. */
    private static String chain(HttpResponse<byte[]> r, String header) {
        String encoded = r.headers().firstValue(header).orElseThrow();
        assertThat(encoded).contains("-----BEGIN%20CERTIFICATE-----").doesNotContain(" ");
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    private String fmspc() {
        return tdx.platform().tcb().fmspc().hex();
    }

    /** Every part fetched as PcsCollateralSource fetches it (the FMSPC in lower case: PCS compares it case-insensitively). */
    private Collateral fetch() throws Exception {
        HttpResponse<byte[]> tcb = ok("/tdx/certification/v4/tcb?fmspc=" + fmspc().toLowerCase(Locale.ROOT));
        HttpResponse<byte[]> qe = ok("/tdx/certification/v4/qe/identity");
        HttpResponse<byte[]> pckCrl = ok("/sgx/certification/v4/pckcrl?ca=platform&encoding=der");
        HttpResponse<byte[]> rootCrl = ok("/IntelSGXRootCA.der");
        return Collateral.fromPcsResponses(text(tcb), chain(tcb, "TCB-Info-Issuer-Chain"), text(qe),
                chain(qe, "SGX-Enclave-Identity-Issuer-Chain"), pckCrl.body(), chain(pckCrl, "SGX-PCK-CRL-Issuer-Chain"), rootCrl.body());
    }

    private TdxVerification verify(Collateral collateral) {
        return TdxVerifier.builder().trust(tdx.platform().rootCertificate()).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()
                .verify(tdx.quote(tdx.tdReport(Bytes.zeros(64))), collateral);
    }

    @Test
    void collateralFetchedAtIntelsPathsIsTheIssuedBytesAndVerifiesAnEmulatedQuote() throws Exception {
        HttpResponse<byte[]> tcb = ok("/tdx/certification/v4/tcb?fmspc=" + fmspc().toUpperCase(Locale.ROOT));
        assertThat(tcb.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(text(tcb)).isEqualTo("{\"tcbInfo\":" + pcs.collateral().tcbInfo() + ",\"signature\":\""
                + pcs.collateral().tcbInfoSignature().hex() + "\"}");
        assertThat(text(ok("/tdx/certification/v4/qe/identity"))).startsWith("{\"enclaveIdentity\":{\"id\":\"TD_QE\",");

        Collateral fetched = fetch();
        assertThat(fetched).isEqualTo(pcs.collateral()); // the signed JSON byte for byte, every chain and CRL as issued
        TdxVerification v = verify(fetched);
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.trusted()).isTrue();
        assertThat(v.tcb().orElseThrow().status()).isEqualTo(TcbStatus.UP_TO_DATE);
        assertThat(server.requests("/tdx/certification/v4/")).isEqualTo(4);
        assertThat(server.requests("/sgx/certification/v4/pckcrl")).isEqualTo(1);
    }

    @Test
    void crlsComeInDerOrPemAndTheRootCrlAtBothItsPaths() throws Exception {
        byte[] der = ok("/sgx/certification/v4/pckcrl?ca=platform&encoding=der").body();
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        crl.verify(tdx.platform().platformCaCertificate().getPublicKey());
        assertThat(crl.getThisUpdate().toInstant()).isEqualTo(ISSUED);
        assertThat(crl.getNextUpdate().toInstant()).isEqualTo(ISSUED.plus(Duration.ofDays(30)));
        HttpResponse<byte[]> pem = ok("/sgx/certification/v4/pckcrl?ca=platform");
        assertThat(text(pem)).startsWith("-----BEGIN X509 CRL-----\n").endsWith("-----END X509 CRL-----\n");
        assertThat(((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(pem.body()))).getEncoded()).isEqualTo(der);
        assertThat(chain(pem, "SGX-PCK-CRL-Issuer-Chain")).isEqualTo(pcs.collateral().pckCrlIssuerChain());

        byte[] root = ok("/sgx/certification/v4/rootcacrl").body();
        assertThat(ok("/IntelSGXRootCA.der").body()).isEqualTo(root);
        ((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(root)))
                .verify(tdx.platform().rootCertificate().getPublicKey());
    }

    @Test
    void whatThePlatformHasNotIsNotFoundAndMalformedRequestsAreRefused() throws Exception {
        HttpResponse<byte[]> otherFmspc = get("/tdx/certification/v4/tcb?fmspc=00906ED50000");
        assertThat(otherFmspc.statusCode()).isEqualTo(404);
        assertThat(otherFmspc.headers().firstValue("Error-Message").orElseThrow()).contains("FMSPC 00906ED50000");
        HttpResponse<byte[]> processor = get("/sgx/certification/v4/pckcrl?ca=processor&encoding=der");
        assertThat(processor.statusCode()).isEqualTo(404);
        assertThat(processor.headers().firstValue("Error-Message").orElseThrow()).contains("issued by the Platform CA");
        for (String bad : new String[] {"/tdx/certification/v4/tcb", "/sgx/certification/v4/pckcrl", "/sgx/certification/v4/pckcrl?ca=other",
                "/sgx/certification/v4/pckcrl?ca=platform&encoding=base64"}) {
            assertThat(get(bad).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(get("/sgx/certification/v4/pckcert").statusCode()).isEqualTo(404);
        assertThat(pcs.description()).contains("FMSPC " + fmspc().toUpperCase(Locale.ROOT));
    }

    @Test
    void aTamperedTcbInfoFailsItsSignatureCheckAfterAGoodFetch() throws Exception {
        assertThat(verify(fetch()).trusted()).isTrue();
        server.setFaults(EmulatedServer.Faults.tamperingTcbInfo());
        Collateral tampered = fetch();
        assertThat(tampered.tcbInfo()).isNotEqualTo(pcs.collateral().tcbInfo()).hasSameSizeAs(pcs.collateral().tcbInfo());
        assertThat(tampered.qeIdentity()).isEqualTo(pcs.collateral().qeIdentity());
        TdxVerification v = verify(tampered);
        assertThat(v.trusted()).isFalse();
        assertThat(v.result().firstFailure().orElseThrow().name()).isEqualTo("collateral.tcb_info");
        assertThat(v.result().check("collateral.qe_identity").orElseThrow().passed()).isTrue();
    }
}
