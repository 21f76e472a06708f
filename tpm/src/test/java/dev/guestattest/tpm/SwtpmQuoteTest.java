// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmAttest;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import dev.guestattest.tpm.verify.TpmVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TPM: swtpm started on free loopback ports with its own state, stopped by PID. Cross-checked
 * with tpm2-tools. .ci/run installs swtpm and tpm2-tools and sets GUEST_ATTEST_KERNEL_TESTS=required.
 */
class SwtpmQuoteTest {
    @TempDir
    static Path dir;
    private static dev.guestattest.tpm.testing.Swtpm swtpm;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        swtpm = dev.guestattest.tpm.testing.Swtpm.start(dir);
        port = swtpm.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    private static Report report(byte[] nonce) {
        try (ProviderSession s = ProviderSession.open(Optional.of("tpm/swtpm:127.0.0.1:" + port),
                ProviderContext.defaults().withSetting("tpm.pcrs", "0-7,16"))) {
            return s.report(ReportRequest.of(nonce));
        }
    }

    @Test
    void aQuoteThroughTheProviderVerifiesAndBindsTheNonceAndPcrs() {
        byte[] nonce = new byte[64];
        nonce[0] = 42;
        TpmEvidence e = TpmEvidence.fromJson(report(nonce).outblob().toArray());
        assertThat(e.pcrs().keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 16);
        VerificationResult v = TpmVerifier.verify(e, Optional.of(e.akPublic()), java.util.List.of(), java.time.Instant.now());
        assertThat(v.failures()).isEmpty();
        assertThat(v.checks()).extracting(Check::name).containsExactly("quote.format", "quote.signature", "ak.pinned", "quote.pcr_digest");
        // extraData is the report data the appraiser judges (policy.report_data)
        assertThat(dev.guestattest.tpm.abi.TpmAttest.parse(e.attest().toArray()).extraData()).isEqualTo(Bytes.of(nonce));
        // the same key every time: a primary key is derived from the hierarchy seed
        assertThat(TpmEvidence.fromJson(report(nonce).outblob().toArray()).akPublic()).isEqualTo(e.akPublic());
    }

    @Test
    void forTheAppraiserTheAkMustBePinnedAndPcrsAreTheRegisters() {
        byte[] nonce = new byte[64];
        nonce[1] = 7;
        byte[] json = report(nonce).outblob().toArray();
        TpmEvidence e = TpmEvidence.fromJson(json);
        var plugin = new dev.guestattest.tpm.verify.TpmEvidenceVerifier();
        assertThat(plugin.recognizes(json)).isTrue();
        assertThat(plugin.recognizes(new byte[1184])).isFalse();
        var unpinned = plugin.verify(dev.guestattest.core.verify.Evidence.of(Bytes.of(json), java.util.Map.of()), java.time.Instant.now(),
                java.util.List.of());
        assertThat(unpinned.result().trusted()).isFalse();
        assertThat(unpinned.result().firstFailure().orElseThrow().name()).isEqualTo("ak.pinned");
        assertThat(unpinned.claims()).isEmpty();
        var pinned = plugin.verify(dev.guestattest.core.verify.Evidence.of(Bytes.of(json), java.util.Map.of("ak", e.akPublic())),
                java.time.Instant.now(), java.util.List.of());
        assertThat(pinned.result().failures()).isEmpty();
        var c = pinned.claims().orElseThrow();
        assertThat(c.tee()).isEqualTo("tpm");
        assertThat(c.runtimeRegisters()).containsKeys("pcr0", "pcr7", "pcr16").hasSize(9);
        assertThat(c.runtimeRegisters().get("pcr16")).isEqualTo(e.pcrs().get(16));
        assertThat(c.reportData()).isEqualTo(Bytes.of(nonce));
        var other = plugin.verify(dev.guestattest.core.verify.Evidence.of(Bytes.of(json), java.util.Map.of("ak", Bytes.zeros(10))),
                java.time.Instant.now(), java.util.List.of());
        assertThat(other.result().trusted()).isFalse();
    }

    @Test
    void extendsShowInTheNextQuoteAndTamperedValuesAreCaught() {
        byte[] expected16;
        try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", port, Duration.ofSeconds(5)))) { // swtpm serves one connection at a time
            tpm.pcrExtend(16, Tpm2.ALG_SHA256, Bytes.of(HashAlgorithm.SHA256.hash("event".getBytes())));
            expected16 = tpm.pcrRead(new PcrSelection(Tpm2.ALG_SHA256, new TreeSet<>(Set.of(16)))).get(16).toArray();
        }
        {
            TpmEvidence e = TpmEvidence.fromJson(report(new byte[64]).outblob().toArray());
            assertThat(e.pcrs().get(16).toArray()).isEqualTo(expected16);
            var forged = new java.util.TreeMap<>(e.pcrs());
            forged.put(16, Bytes.zeros(32));
            TpmEvidence lie = new TpmEvidence(e.attest(), e.signature(), e.akPublic(), e.bank(), forged, e.ekCertificate());
            assertThat(TpmVerifier.verify(lie, Optional.of(e.akPublic()), java.util.List.of(), java.time.Instant.now()).failures())
                    .extracting(Check::name).containsExactly("quote.pcr_digest");
            byte[] attest = e.attest().toArray();
            attest[attest.length - 1] ^= 1;
            TpmEvidence bent = new TpmEvidence(Bytes.of(attest), e.signature(), e.akPublic(), e.bank(), e.pcrs(), e.ekCertificate());
            assertThat(TpmVerifier.verify(bent, Optional.of(e.akPublic()), java.util.List.of(), java.time.Instant.now()).failures())
                    .extracting(Check::name).contains("quote.signature");
        }
    }

    @Test
    void tpm2CheckquoteAcceptsGuestAttestsQuote() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tpm2_checkquote")), "tpm2-tools is not installed");
        byte[] nonce = new byte[64];
        nonce[63] = 9;
        TpmEvidence e = TpmEvidence.fromJson(report(nonce).outblob().toArray());
        Path pub = Files.write(dir.resolve("ak.pub"), new dev.guestattest.tpm.abi.TpmWriter().tpm2b(e.akPublic().toArray()).toByteArray());
        Path msg = Files.write(dir.resolve("quote.msg"), e.attest().toArray());
        Path sig = Files.write(dir.resolve("quote.sig"), e.signature().toArray());
        Process p = new ProcessBuilder("tpm2_checkquote", "-u", pub.toString(), "-m", msg.toString(), "-s", sig.toString(),
                "-g", "sha256", "-q", Bytes.of(nonce).hex()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void guestAttestVerifiesAQuoteMadeByTpm2Tools() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tpm2_quote")), "tpm2-tools is not installed");
        String tcti = "swtpm:host=127.0.0.1,port=" + port;
        Path ctx = dir.resolve("tools-ak.ctx");
        run(List.of("tpm2_createprimary", "-T", tcti, "-C", "o", "-g", "sha256", "-G", "ecc256:ecdsa-sha256:null", "-a",
                "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign", "-c", ctx.toString()));
        run(List.of("tpm2_readpublic", "-T", tcti, "-c", ctx.toString(), "-o", dir.resolve("tools-ak.pub").toString()));
        run(List.of("tpm2_quote", "-T", tcti, "-c", ctx.toString(), "-l", "sha256:0,1,2", "-q", "00112233", "-m",
                dir.resolve("tools.msg").toString(), "-s", dir.resolve("tools.sig").toString(), "-o", dir.resolve("tools.pcrs").toString(),
                "-g", "sha256"));
        run(List.of("tpm2_flushcontext", "-T", tcti, "-t"));
        byte[] pub2b = Files.readAllBytes(dir.resolve("tools-ak.pub"));
        Bytes akPublic = Bytes.of(pub2b, 2, pub2b.length - 2); // TPM2B_PUBLIC without its size
        byte[] msg = Files.readAllBytes(dir.resolve("tools.msg"));
        TpmAttest attest = TpmAttest.parse(msg);
        java.util.Map<Integer, Bytes> values;
        try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", port, Duration.ofSeconds(5)))) {
            values = tpm.pcrRead(attest.pcrSelection());
        }
        {
            TpmEvidence e = new TpmEvidence(Bytes.of(msg), Bytes.of(Files.readAllBytes(dir.resolve("tools.sig"))), akPublic,
                    HashAlgorithm.SHA256, values, Optional.empty());
            VerificationResult v = TpmVerifier.verify(e, Optional.of(akPublic), java.util.List.of(), java.time.Instant.now());
            assertThat(v.failures()).isEmpty();
        }
    }

    @Test
    void theEvidenceCarriesTheEkCertificateWhichChainsToTheManufacturersCa() throws Exception {
        TpmEvidence e = TpmEvidence.fromJson(report(new byte[64]).outblob().toArray());
        assertThat(e.ekCertificate()).isPresent();
        List<java.security.cert.X509Certificate> roots = new java.util.ArrayList<>();
        for (String f : List.of("/var/lib/swtpm-localca/issuercert.pem", "/var/lib/swtpm-localca/swtpm-localca-rootca-cert.pem")) {
            roots.add((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(Path.of(f))));
        }
        VerificationResult v = TpmVerifier.verify(e, Optional.of(e.akPublic()), roots, java.time.Instant.now());
        assertThat(v.failures()).isEmpty();
        assertThat(v.check("ek.chain").orElseThrow().detail()).contains("the AK is not bound to it");
        assertThat(TpmVerifier.verify(e, Optional.of(e.akPublic()), roots.subList(1, 2), java.time.Instant.now()).failures())
                .extracting(Check::name).containsExactly("ek.chain");
        try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", port, Duration.ofSeconds(5)))) {
            assertThat(tpm.manufacturer()).isEqualTo("IBM");
        }
    }

    @Test
    void rsaAttestationKeysQuoteAndVerifyToo() {
        Tpm.Key ak;
        Tpm.Quoted q;
        java.util.Map<Integer, Bytes> values;
        PcrSelection sel = new PcrSelection(Tpm2.ALG_SHA256, new TreeSet<>(Set.of(0, 1)));
        try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", port, Duration.ofSeconds(5)))) {
            ak = tpm.createPrimary(Tpm2.RH_OWNER, dev.guestattest.tpm.abi.TpmPublic.rsaAttestationKeyTemplate());
            try {
                q = tpm.quote(ak.handle(), Bytes.fromHex("n", "0102"), sel);
                values = tpm.pcrRead(sel);
            } finally {
                tpm.flush(ak.handle());
            }
        }
        TpmEvidence e = new TpmEvidence(q.attest(), Bytes.of(q.signature().encode()), ak.publicArea().encoded(), HashAlgorithm.SHA256,
                values, Optional.empty());
        VerificationResult v = TpmVerifier.verify(e, Optional.of(e.akPublic()), java.util.List.of(), java.time.Instant.now());
        assertThat(v.failures()).isEmpty();
        assertThat(v.check("quote.signature").orElseThrow().detail()).contains("RSASSA");
    }

    /** The attack: a software key signs a genuine quote and the evidence carries that key's public area as the AK. */
    @Test
    void aQuoteSignedByASoftwareKeyIsNeverTrustedWithoutThePinnedAk() throws Exception {
        byte[] nonce = new byte[64];
        nonce[2] = 5;
        TpmEvidence genuine = TpmEvidence.fromJson(report(nonce).outblob().toArray());
        dev.guestattest.tpm.testing.SoftwareAk forger = dev.guestattest.tpm.testing.SoftwareAk.generate();
        TpmEvidence forged = forger.resign(genuine);
        VerificationResult unpinned = TpmVerifier.verify(forged, Optional.empty(), java.util.List.of(), java.time.Instant.now());
        assertThat(unpinned.check("quote.signature").orElseThrow().passed()).as("a well-formed quote: only its signer is wrong").isTrue();
        assertThat(unpinned.trusted()).isFalse();
        assertThat(unpinned.failures()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("ak.pinned");
            assertThat(c.detail()).startsWith("no pinned AK: the quote's signer is not known to be the TPM's");
        });
        assertThat(TpmVerifier.verify(forged, Optional.of(genuine.akPublic()), java.util.List.of(), java.time.Instant.now()).failures())
                .extracting(Check::name).containsExactly("ak.pinned");
        assertThat(TpmVerifier.verify(genuine, Optional.of(forger.publicArea()), java.util.List.of(), java.time.Instant.now()).failures())
                .extracting(Check::name).containsExactly("ak.pinned");
        assertThat(TpmVerifier.verify(genuine, Optional.of(genuine.akPublic()), java.util.List.of(), java.time.Instant.now()).trusted()).isTrue();
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
