// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.pki.PemCertificates;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated chip's VCEK, chains and CRL fetched over HTTP at AMD's KDS paths, then verifying an emulated report. */
class EmulatedKdsTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    static Path state; // one chip for the class: its three RSA-4096 keys take seconds to make
    private static SnpEmulatedProvider snp;
    private static EmulatedKds kds;
    private static EmulatedServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        snp = SnpEmulatedProvider.open(ProviderContext.defaults().withStateDir(state));
        kds = new EmulatedKds(snp.chip(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(7));
        server = EmulatedServer.start("127.0.0.1", 0, List.of(kds), EmulatedServer.Faults.none(), line -> { });
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.uri() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] ok(String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = get(pathAndQuery);
        assertThat(r.statusCode()).as(pathAndQuery).isEqualTo(200);
        return r.body();
    }

    private static Report report() {
        Tsm tsm = new Tsm();
        tsm.register(snp);
        try {
            return tsm.report(ReportRequest.builder().inblob(new byte[64]).build());
        } finally {
            tsm.unregister(snp, Duration.ofSeconds(5));
        }
    }

    private static X509CRL crl(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    private static String vcekPath(String hwid, TcbVersion tcb, String format) {
        TcbVersion.Parts p = tcb.parts(TcbVersion.Layout.MILAN_GENOA);
        return "/vcek/v1/Milan/" + hwid + "?" + String.format(Locale.ROOT, "blSPL=" + format + "&teeSPL=" + format + "&snpSPL=" + format
                + "&ucodeSPL=" + format, p.bootLoader(), p.tee(), p.snp(), p.microcode());
    }

    @Test
    void theVcekServedForTheReportsChipAndTcbVerifiesItWithTheServedCrl() throws Exception {
        Report r = report();
        AttestationReport parsed = AttestationReport.parse(r.outblob().toArray());
        String hwid = parsed.chipId().hex().toUpperCase(Locale.ROOT); // KDS compares hex case-insensitively
        byte[] vcek = ok(vcekPath(hwid, parsed.reportedTcb(), "%02d"));
        assertThat(get(vcekPath(hwid, parsed.reportedTcb(), "%02d")).headers().firstValue("Content-Type")).contains("application/pkix-cert");
        assertThat(ok(vcekPath(hwid.toLowerCase(Locale.ROOT), parsed.reportedTcb(), "%d"))).as("SPLs zero-padded or not").isEqualTo(vcek);
        // the same certificate the chip puts into its extended report
        assertThat(vcek).isEqualTo(SnpCertificates.fromTable(CertTable.parse(r.auxblob().toArray())).signer().getEncoded());

        byte[] crl = ok("/vcek/v1/Milan/crl");
        EmulatedSnpPlatform chip = snp.chip();
        SnpVerification v = SnpVerifier.builder().roots(AmdRoots.amd().plus(chip.arkCertificate(), List.of(chip.askCertificate(),
                chip.asvkCertificate()))).crl(crl).build().verify(r.outblob().toArray(), SnpCertificates.ofSigner(vcek));
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.trusted()).isTrue();
        assertThat(v.result().check("chain.revocation").orElseThrow().detail()).isEqualTo("the ASK/ASVK is not revoked");
        assertThat(v.result().check("chain").orElseThrow().detail()).startsWith("SEV-VCEK <- SEV-Milan <- ARK-Milan");
        assertThat(server.requests("/vcek/v1/Milan/" + hwid)).isEqualTo(2);
    }

    @Test
    void aVcekForAnotherTcbIsIssuedForThatTcb() throws Exception {
        TcbVersion older = TcbVersion.of(TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(0, 2, 0, 7, 100));
        X509Certificate c = SnpCertificates.ofSigner(ok(vcekPath(snp.chip().chipId().hex(), older, "%d"))).signer();
        assertThat(c.getIssuerX500Principal()).isEqualTo(snp.chip().askCertificate().getSubjectX500Principal());
        c.verify(snp.chip().askCertificate().getPublicKey());
        assertThat(c.getExtensionValue("1.3.6.1.4.1.3704.1.3.3")).endsWith(7); // snpSPL
        assertThat(c.getExtensionValue("1.3.6.1.4.1.3704.1.3.8")).endsWith(100); // ucodeSPL
    }

    @Test
    void certChainsAreTheIntermediateThenTheArk() throws Exception {
        EmulatedSnpPlatform chip = snp.chip();
        assertThat(PemCertificates.parse("vcek cert_chain", ok("/vcek/v1/Milan/cert_chain"), 3))
                .containsExactly(chip.askCertificate(), chip.arkCertificate());
        assertThat(PemCertificates.parse("vlek cert_chain", ok("/vlek/v1/Milan/cert_chain"), 3))
                .containsExactly(chip.asvkCertificate(), chip.arkCertificate());
    }

    @Test
    void theCrlIsTheArksSignedAsTheArkSignsAndRevokesNothing() throws Exception {
        X509Certificate ark = snp.chip().arkCertificate();
        byte[] der = ok("/vcek/v1/Milan/crl");
        assertThat(ok("/vlek/v1/Milan/crl")).isEqualTo(der).isEqualTo(kds.crl());
        X509CRL crl = crl(der);
        crl.verify(ark.getPublicKey());
        assertThat(crl.getIssuerX500Principal()).isEqualTo(ark.getSubjectX500Principal());
        assertThat(crl.getSigAlgName()).isEqualTo(ark.getSigAlgName()).isEqualTo("RSASSA-PSS");
        assertThat(crl.getSigAlgParams()).isEqualTo(ark.getSigAlgParams());
        assertThat(crl.getRevokedCertificates()).isNull();
        assertThat(crl.getThisUpdate().toInstant()).isEqualTo(NOW);
        assertThat(crl.getNextUpdate().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(7)));
    }

    @Test
    void otherProductsAndChipsAreNotFoundAndMalformedRequestsAreRefused() throws Exception {
        String hwid = snp.chip().chipId().hex();
        String spls = "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115";
        for (String product : new String[] {"Genoa", "Turin"}) {
            HttpResponse<byte[]> r = get("/vcek/v1/" + product + "/cert_chain");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Error-Message").orElseThrow()).contains("the emulated chip is a Milan");
        }
        assertThat(get("/vcek/v1/Milan/" + "00".repeat(64) + spls).statusCode()).isEqualTo(404);
        assertThat(get("/vlek/v1/Milan/" + hwid + spls).statusCode()).isEqualTo(404);
        assertThat(get("/vcek/v1/Milan").statusCode()).isEqualTo(404);
        for (String bad : new String[] {"/vcek/v1/Milan/" + hwid, "/vcek/v1/Milan/" + hwid + "?blSPL=3&teeSPL=0&snpSPL=8",
                "/vcek/v1/Milan/" + hwid + "?blSPL=3&teeSPL=0&snpSPL=x&ucodeSPL=115", "/vcek/v1/Milan/" + hwid + "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=256",
                "/vcek/v1/Milan/" + hwid.substring(16) + spls}) {
            assertThat(get(bad).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(kds.get("/tdx/certification/v4/qe/identity", Map.of())).as("not a KDS path").isEmpty();
        assertThat(kds.description()).startsWith("AMD KDS for the emulated SNP chip (Milan, hwid " + hwid.substring(0, 16));
        assertThatThrownBy(() -> new EmulatedKds(snp.chip(), Clock.systemUTC(), Duration.ZERO)).hasMessageStartingWith("CRL validity: must be positive");
    }
}
