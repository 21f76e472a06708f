// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.pki.Pem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdConfig;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Emulator quotes verify end to end against the emulator's root and its own collateral; tampering is caught. */
class EmulatedQuoteVerificationTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    @TempDir
    java.nio.file.Path state;
    private TdxEmulatedProvider tdx;

    private TdxEmulatedProvider open(int version) {
        tdx = TdxEmulatedProvider.open(ProviderContext.defaults().withStateDir(state).withClock(Clock.fixed(NOW.minusSeconds(60), ZoneOffset.UTC))
                .withSetting(TdxEmulatedProvider.QUOTE_VERSION, Integer.toString(version)));
        return tdx;
    }

    @AfterEach
    void close() {
        if (tdx != null) {
            tdx.close();
        }
    }

    private TdxVerifier verifier(Instant at) {
        return TdxVerifier.builder().trust(tdx.platform().rootCertificate()).clock(Clock.fixed(at, ZoneOffset.UTC)).build();
    }

    private Collateral collateral(boolean revoke) {
        return EmulatedCollateral.issue(tdx.platform(), NOW.minusSeconds(60), Duration.ofDays(30), revoke, new SecureRandom());
    }

    private byte[] quote(Bytes reportData) {
        return tdx.quote(tdx.tdReport(reportData));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(ints = {4, 5})
    void emulatorQuotesVerifyEndToEnd(int version) {
        open(version);
        Bytes nonce = Bytes.of(new byte[64]);
        TdxVerification v = verifier(NOW).verify(quote(nonce), collateral(false));
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.trusted()).isTrue();
        assertThat(v.tcb().orElseThrow().status()).isEqualTo(TcbStatus.UP_TO_DATE);
        assertThat(v.claims().orElseThrow().reportData()).isEqualTo(nonce);
    }

    @Test
    void aCrlThatRevokesThePckIsCaught() {
        open(4);
        TdxVerification v = verifier(NOW).verify(quote(Bytes.zeros(64)), collateral(true));
        assertThat(v.result().failures()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("pck.revocation");
            assertThat(c.detail()).startsWith("the PCK certificate (serial ").endsWith(") is revoked");
        });
    }

    @Test
    void withoutTheEmulatorsRootNothingChainsToATrustedRoot() {
        open(4);
        TdxVerification v = TdxVerifier.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()
                .verify(quote(Bytes.zeros(64)), collateral(false));
        assertThat(v.trusted()).isFalse();
        assertThat(v.result().check("pck.chain").orElseThrow().detail()).endsWith("which is not a trusted root");
        assertThat(v.result().failures()).extracting(Check::name).contains("pck.chain", "collateral.root_ca_crl", "collateral.pck_crl",
                "collateral.tcb_info", "collateral.qe_identity", "qe.report.signature", "tcb.status");
    }

    @Test
    void brokenCollateralSignaturesAreNamed() {
        open(4);
        Collateral good = collateral(false);
        byte[] sig = good.tcbInfoSignature().toArray();
        sig[5] ^= 1;
        Collateral badTcb = new Collateral(good.pckCrlIssuerChain(), good.rootCaCrl(), good.pckCrl(), good.tcbInfoIssuerChain(),
                good.tcbInfo(), Bytes.of(sig), good.qeIdentityIssuerChain(), good.qeIdentity(), good.qeIdentitySignature());
        TdxVerification v = verifier(NOW).verify(quote(Bytes.zeros(64)), badTcb);
        assertThat(v.result().check("collateral.tcb_info").orElseThrow()).satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).isEqualTo("tcb_info_signature: does not verify with 'GuestAttest Emulated SGX TCB Signing''s key"
                    + " over the JSON as signed");
        });
        assertThat(v.result().check("tcb.status").orElseThrow().passed()).isFalse();
        // re-encoding the signed JSON (same content, other whitespace) breaks the signature too
        Collateral reencoded = new Collateral(good.pckCrlIssuerChain(), good.rootCaCrl(), good.pckCrl(), good.tcbInfoIssuerChain(),
                good.tcbInfo().replace(",", ", "), good.tcbInfoSignature(), good.qeIdentityIssuerChain(), good.qeIdentity(),
                good.qeIdentitySignature());
        assertThat(verifier(NOW).verify(quote(Bytes.zeros(64)), reencoded).result().check("collateral.tcb_info").orElseThrow().passed())
                .isFalse();
        byte[] crl = good.pckCrl().toArray();
        crl[crl.length - 3] ^= 1;
        Collateral badCrl = new Collateral(good.pckCrlIssuerChain(), good.rootCaCrl(), Bytes.of(crl), good.tcbInfoIssuerChain(),
                good.tcbInfo(), good.tcbInfoSignature(), good.qeIdentityIssuerChain(), good.qeIdentity(), good.qeIdentitySignature());
        assertThat(verifier(NOW).verify(quote(Bytes.zeros(64)), badCrl).result().check("collateral.pck_crl").orElseThrow())
                .satisfies(c -> assertThat(c.passed()).isFalse());
    }

    @Test
    void aDebugTdVerifiesAndIsReportedForThePolicyToJudge() {
        open(4);
        tdx.td().reset(new TdConfig(TdConfig.DEFAULT.mrTd(), TdConfig.DEFAULT.mrConfigId(), TdConfig.DEFAULT.mrOwner(),
                TdConfig.DEFAULT.mrOwnerConfig(), Bytes.fromHex("attributes", "0100000000000000"), TdConfig.DEFAULT.xfam()));
        byte[] q = quote(Bytes.zeros(64));
        TdxVerification v = verifier(NOW).verify(q, collateral(false));
        assertThat(v.trusted()).isTrue();
        assertThat(v.claims().orElseThrow().debug()).isTrue();
        assertThat(v.claims().orElseThrow().common().debug()).contains(true);
        assertThat(v.result().checks()).noneMatch(c -> c.name().contains("debug"));
    }

    @Test
    void collateralRoundTripsThroughTheDcapQvlJsonLayout() {
        open(4);
        Collateral c = collateral(false);
        assertThat(Collateral.fromDcapQvlJson(c.toDcapQvlJson())).isEqualTo(c);
    }

    /** The attack: whoever holds a PCK's key signs a "PCK" for a key of their own, with the SGX extension copied. */
    @Test
    void aCertificateSignedWithThePcksKeyIsRefused() throws Exception {
        open(4);
        java.nio.file.Path keyFile;
        try (var files = java.nio.file.Files.walk(state)) {
            keyFile = files.filter(p -> p.getFileName().toString().equals("pck.key")).findFirst().orElseThrow();
        }
        java.security.cert.X509Certificate pck = tdx.platform().pckCertificate();
        var g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(pck.getSubjectX500Principal(), java.math.BigInteger.TEN,
                pck.getNotBefore(), pck.getNotAfter(), new javax.security.auth.x500.X500Principal("CN=Forged PCK"), g.generateKeyPair().getPublic());
        String sgx = "1.2.840.113741.1.13.1";
        b.addExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier(sgx), false,
                org.bouncycastle.asn1.ASN1OctetString.getInstance(pck.getExtensionValue(sgx)).getOctets());
        var forged = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(b.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(dev.guestattest.core.state.PemFiles.readPrivateKey(keyFile))));
        String chain = dev.guestattest.core.pki.Pem.encode("CERTIFICATE", forged.getEncoded()) + tdx.platform().pckChainPem();
        PckChain c = PckChain.of(chain, TrustAnchors.intel().plus(tdx.platform().rootCertificate()));
        assertThat(c.usable()).isFalse();
        assertThat(c.problem()).startsWith("certificate chain: 'GuestAttest Emulated SGX PCK Certificate'");
        assertThat(PckChain.of(tdx.platform().pckChainPem(), TrustAnchors.intel().plus(tdx.platform().rootCertificate())).usable()).isTrue();
    }

    /**
     * The attack: signed collateral whose JSON names a key twice, so that a first-wins reader sees
     * Revoked and a last-wins reader UpToDate. Signed by the TCB signing key itself (re-signing
     * the unchanged JSON passes, so only the duplicate can fail it), it is refused outright.
     */
    @Test
    void signedCollateralThatNamesAKeyTwiceIsRefused() throws Exception {
        open(4);
        Collateral good = collateral(false);
        java.security.PrivateKey signing = dev.guestattest.core.state.PemFiles.readPrivateKey(
                tdx.platform().directory().resolve("tcb-signing.key"));
        String first = "\"tcbStatus\":\"UpToDate\"";
        assertThat(good.tcbInfo()).contains(first);
        String dupTcb = good.tcbInfo().replaceFirst(first, "\"tcbStatus\":\"Revoked\"," + first);
        String dupQe = good.qeIdentity().replaceFirst("\\{", "{\"isvprodid\":99,");
        Collateral resigned = withSigned(good, good.tcbInfo(), signing, good.qeIdentity());
        assertThat(verifier(NOW).verify(quote(Bytes.zeros(64)), resigned).trusted()).isTrue();

        TdxVerification v = verifier(NOW).verify(quote(Bytes.zeros(64)), withSigned(good, dupTcb, signing, dupQe));
        assertThat(v.trusted()).isFalse();
        assertThat(v.result().check("collateral.tcb_info").orElseThrow()).satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("tcbStatus").containsIgnoringCase("duplicate");
        });
        assertThat(v.result().check("collateral.qe_identity").orElseThrow()).satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("isvprodid").containsIgnoringCase("duplicate");
        });
        assertThat(v.result().check("tcb.status").orElseThrow().passed()).isFalse();
    }

    private static Collateral withSigned(Collateral c, String tcbInfo, java.security.PrivateKey key, String qeIdentity)
            throws java.security.GeneralSecurityException {
        return new Collateral(c.pckCrlIssuerChain(), c.rootCaCrl(), c.pckCrl(), c.tcbInfoIssuerChain(), tcbInfo, signed(key, tcbInfo),
                c.qeIdentityIssuerChain(), qeIdentity, signed(key, qeIdentity));
    }

    private static Bytes signed(java.security.PrivateKey key, String json) throws java.security.GeneralSecurityException {
        java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key);
        s.update(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Bytes.of(s.sign());
    }

    /**
     * The attack: collateral past its nextUpdate but inside the verifier's grace period, whose TCB
     * signing certificate has expired since. The grace period forgives a late refresh, not the chain:
     * the documents it signed are refused (they were passed with a grace note before).
     */
    @Test
    void withinTheGracePeriodADocumentIsNoBetterThanTheChainThatSignedIt() {
        open(4);
        collateral(false);
        Instant expiry = dev.guestattest.core.state.PemFiles.readCertificate(tdx.platform().directory().resolve("tcb-signing.pem"))
                .getNotAfter().toInstant();
        Collateral late = EmulatedCollateral.issue(tdx.platform(), expiry.minus(Duration.ofDays(2)), Duration.ofDays(1), false,
                new SecureRandom());
        byte[] q = quote(Bytes.zeros(64));
        java.util.function.Function<Instant, Check> tcbInfoAt = at -> TdxVerifier.builder().trust(tdx.platform().rootCertificate())
                .clock(Clock.fixed(at, ZoneOffset.UTC)).grace(Duration.ofDays(2)).build().verify(q, late).result()
                .check("collateral.tcb_info").orElseThrow();
        // an hour before the signing certificate expires: past nextUpdate by 23 h, within the grace period, passed with the note
        assertThat(tcbInfoAt.apply(expiry.minusSeconds(3600))).satisfies(c -> {
            assertThat(c.passed()).isTrue();
            assertThat(c.detail()).endsWith("(used within the configured grace period)");
        });
        // an hour after: still within the grace period, but its signer has expired
        assertThat(tcbInfoAt.apply(expiry.plusSeconds(3600))).satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).startsWith("tcb_info signing chain: ").contains("expired at");
        });
    }
}

