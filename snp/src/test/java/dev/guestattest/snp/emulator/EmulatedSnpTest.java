// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.abi.SigningKey;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The emulated secure processor end to end: reports at every VMPL verify with the emulator's ARK. */
class EmulatedSnpTest {
    @TempDir
    static Path state; // one chip for the class: its three RSA-4096 keys take seconds to make

    private static ProviderContext context;

    @BeforeAll
    static void chip() {
        context = ProviderContext.defaults().withStateDir(state);
        SnpEmulatedProvider.open(context); // creates the chip once
    }

    private static SnpVerifier verifier(SnpEmulatedProvider p) {
        EmulatedSnpPlatform chip = p.chip();
        return SnpVerifier.builder().roots(AmdRoots.amd().plus(chip.arkCertificate(), List.of(chip.askCertificate(), chip.asvkCertificate())))
                .build();
    }

    private static Report report(SnpEmulatedProvider p, int vmpl, byte[] data) {
        Tsm tsm = new Tsm();
        tsm.register(p);
        try {
            return tsm.report(ReportRequest.builder().inblob(data).privlevel(vmpl).build());
        } finally {
            tsm.unregister(p, Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest(name = "VMPL {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void reportsAtEveryVmplVerifyEndToEnd(int vmpl) {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context);
        byte[] nonce = new byte[64];
        nonce[0] = (byte) vmpl;
        Report r = report(p, vmpl, nonce);
        AttestationReport parsed = AttestationReport.parse(r.outblob().toArray());
        assertThat(parsed.vmpl()).isEqualTo(vmpl);
        assertThat(parsed.reportData().toArray()).isEqualTo(nonce);
        assertThat(parsed.chipId()).isEqualTo(p.chip().chipId());
        SnpVerification v = verifier(p).verify(r.outblob().toArray(), SnpCertificates.fromTable(CertTable.parse(r.auxblob().toArray())));
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.result().check("chain").orElseThrow().detail()).isEqualTo("SEV-VCEK <- SEV-Milan <- ARK-Milan, ending at a trusted ARK");
        assertThat(v.claims().orElseThrow().vmpl()).isEqualTo(vmpl);
        assertThat(v.claims().orElseThrow().reportData()).isEqualTo(Bytes.of(nonce));
    }

    @Test
    void aReportMadeAtVmpl3VerifiesAndSaysSo() {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context);
        Report r = report(p, 3, new byte[64]);
        SnpCertificates certs = SnpCertificates.fromTable(CertTable.parse(r.auxblob().toArray()));
        // the policy on VMPLs is the appraiser's (verify's AppraiserPolicyOnceTest refuses VMPL 3 by default)
        SnpVerification v = verifier(p).verify(r.outblob().toArray(), certs);
        assertThat(v.trusted()).isTrue();
        assertThat(v.claims().orElseThrow().common().vmpl()).contains(3);
    }

    @Test
    void theVmplFloorIsEnforced() {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context.withSetting("snp.vmpl", "2"));
        assertThatThrownBy(() -> report(p, 1, new byte[64]))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageContaining("privlevel").hasMessageContaining("floor of 2");
        assertThat(AttestationReport.parse(report(p, 2, new byte[64]).outblob().toArray()).vmpl()).isEqualTo(2);
    }

    @Test
    void vlekReportsChainThroughTheAsvkAndMaskTheChipId() {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context.withSetting("snp.signing-key", "vlek"));
        Report r = report(p, 0, new byte[64]);
        AttestationReport parsed = AttestationReport.parse(r.outblob().toArray());
        assertThat(parsed.signingKey()).isEqualTo(SigningKey.VLEK);
        assertThat(parsed.chipIdMasked()).isTrue();
        assertThat(parsed.chipId().isZero()).isTrue();
        CertTable table = CertTable.parse(r.auxblob().toArray());
        assertThat(table.find(CertTable.VLEK)).isPresent();
        SnpVerification v = verifier(p).verify(r.outblob().toArray(), SnpCertificates.fromTable(table));
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.result().check("chain").orElseThrow().detail()).startsWith("SEV-VLEK <- SEV-VLEK-Milan <- ARK-Milan");
        assertThat(v.result().check("signer.chip").orElseThrow().detail()).startsWith("VLEK: not bound to one chip (CSP ");
    }

    @Test
    void aDebugPolicyFailsByDefaultAndWithoutTheEmulatorsRootNothingChains() {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context.withSetting("snp.policy", "0xb0000"));
        Report r = report(p, 0, new byte[64]);
        SnpCertificates certs = SnpCertificates.fromTable(CertTable.parse(r.auxblob().toArray()));
        SnpVerification v = verifier(p).verify(r.outblob().toArray(), certs);
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.claims().orElseThrow().common().debug()).contains(true);
        SnpVerification amdOnly = SnpVerifier.builder().build().verify(r.outblob().toArray(), certs);
        assertThat(amdOnly.result().check("chain").orElseThrow().detail()).contains("which is not a trusted ARK");
    }

    @Test
    void derivedKeysAreDeterministicPerInputAndDifferWhenAnyDiffers() {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context);
        TcbVersion tcb = EmulatedSnpPlatform.TCB;
        byte[] a = p.derivedKey(0, 0x3f, 0, 1, tcb);
        assertThat(a).hasSize(32).isEqualTo(SnpEmulatedProvider.open(context).derivedKey(0, 0x3f, 0, 1, tcb));
        assertThat(p.derivedKey(1, 0x3f, 0, 1, tcb)).isNotEqualTo(a);
        assertThat(p.derivedKey(0, 0x1f, 0, 1, tcb)).isNotEqualTo(a);
        assertThat(p.derivedKey(0, 0x3f, 1, 1, tcb)).isNotEqualTo(a);
        assertThat(p.derivedKey(0, 0x3f, 0, 0, tcb)).isNotEqualTo(a);
        byte[] otherMeasurement = SnpEmulatedProvider.open(context.withSetting("snp.measurement", "ab".repeat(48))).derivedKey(0, 0x3f, 0, 1, tcb);
        assertThat(otherMeasurement).isNotEqualTo(a);
        // without the measurement bit, the measurement does not matter
        assertThat(SnpEmulatedProvider.open(context.withSetting("snp.measurement", "ab".repeat(48))).derivedKey(0, 0x37, 0, 1, tcb))
                .isEqualTo(p.derivedKey(0, 0x37, 0, 1, tcb));
    }

    @Test
    void derivedKeyRequestsTheFirmwareRefusesAreDeviceErrorsWithItsStatus() {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context.withSetting("snp.vmpl", "1"));
        TcbVersion tcb = EmulatedSnpPlatform.TCB;
        assertThatThrownBy(() -> p.derivedKey(0, 0, 0, 0, tcb)).isInstanceOfSatisfying(AttestationException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
            assertThat(e.vendorStatus()).hasValue(0x16);
        }).hasMessageContaining("vmpl 0 is below the caller's VMPL 1");
        assertThatThrownBy(() -> p.derivedKey(2, 0, 1, 0, tcb)).hasMessageContaining("root_key_select 2");
        assertThatThrownBy(() -> p.derivedKey(0, 0x40, 1, 0, tcb)).hasMessageContaining("reserved bits");
        assertThatThrownBy(() -> p.derivedKey(0, 0, 1, 2, tcb)).hasMessageContaining("guest_svn 2 exceeds");
        TcbVersion newer = TcbVersion.of(TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(0, 3, 0, 9, 115));
        assertThatThrownBy(() -> p.derivedKey(0, 0, 1, 0, newer)).hasMessageContaining("exceeds the committed TCB");
    }

    @Test
    void aBusyHostIsRetriedAtTheIntervalUntilTheBound() {
        SnpEmulatedProvider patient = SnpEmulatedProvider.open(context.withSetting("snp.busy", "2").withSetting("snp.busy-retry-ms", "50")
                .withSetting("snp.busy-timeout-ms", "1000"));
        long start = System.nanoTime();
        assertThat(report(patient, 0, new byte[64]).outblob().length()).isEqualTo(AttestationReport.SIZE);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(100);
        SnpEmulatedProvider hopeless = SnpEmulatedProvider.open(context.withSetting("snp.busy", "100").withSetting("snp.busy-retry-ms", "50")
                .withSetting("snp.busy-timeout-ms", "200"));
        assertThatThrownBy(() -> report(hopeless, 0, new byte[64]))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("stayed busy for 200 ms");
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> SnpEmulatedProvider.open(context.withSetting("snp.signing-key", "vpek")))
                .hasMessage("snp.signing-key: 'vpek'; must be vcek or vlek");
        assertThatThrownBy(() -> SnpEmulatedProvider.open(context.withSetting("snp.vmpl", "4"))).hasMessage("snp.vmpl: '4' is outside 0..3");
        assertThatThrownBy(() -> SnpEmulatedProvider.open(context.withSetting("snp.policy", "0x0")))
                .hasMessageStartingWith("policy: 0x0000000000000000 must set bit 17");
    }

    /** A CRL from the emulated ARK (signed RSASSA-PSS as AMD signs), revoking {@code serials}. */
    private static byte[] crl(EmulatedSnpPlatform chip, java.time.Instant thisUpdate, java.time.Instant nextUpdate,
                              java.math.BigInteger... serials) throws Exception {
        var b = new org.bouncycastle.cert.X509v2CRLBuilder(org.bouncycastle.asn1.x500.X500Name.getInstance(
                chip.arkCertificate().getSubjectX500Principal().getEncoded()), java.util.Date.from(thisUpdate));
        b.setNextUpdate(java.util.Date.from(nextUpdate));
        for (java.math.BigInteger s : serials) {
            b.addCRLEntry(s, java.util.Date.from(thisUpdate), org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
        }
        java.security.PrivateKey arkKey = dev.guestattest.core.state.PemFiles.readPrivateKey(chip.directory().resolve("ark.key"), "RSA");
        return b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA384withRSAandMGF1")
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).build(arkKey)).getEncoded();
    }

    @Test
    void givenCrlsAreCheckedForFreshnessAndARevokedAsk() throws Exception {
        SnpEmulatedProvider p = SnpEmulatedProvider.open(context);
        EmulatedSnpPlatform chip = p.chip();
        Report r = report(p, 0, new byte[64]);
        SnpCertificates certs = SnpCertificates.fromTable(CertTable.parse(r.auxblob().toArray()));
        AmdRoots roots = AmdRoots.amd().plus(chip.arkCertificate(), List.of(chip.askCertificate(), chip.asvkCertificate()));
        java.time.Instant now = java.time.Instant.now();
        java.util.function.Function<byte[], Check> revocation = crl -> SnpVerifier.builder().roots(roots).crl(crl).build()
                .verify(r.outblob().toArray(), certs).result().check("chain.revocation").orElseThrow();
        assertThat(revocation.apply(crl(chip, now.minusSeconds(60), now.plusSeconds(3600))).passed()).isTrue();
        assertThat(revocation.apply(crl(chip, now.minusSeconds(60), now.plusSeconds(3600), chip.askCertificate().getSerialNumber())))
                .satisfies(c -> {
                    assertThat(c.passed()).isFalse();
                    assertThat(c.detail()).contains("SEV-Milan").endsWith("is revoked");
                });
        assertThat(revocation.apply(crl(chip, now.minusSeconds(7200), now.minusSeconds(3600))).detail()).startsWith("the CRL is not fresh");
        // a CRL from any other issuer cannot speak for this ARK: fail closed
        var other = new org.bouncycastle.cert.X509v2CRLBuilder(new org.bouncycastle.asn1.x500.X500Name("CN=someone else"),
                java.util.Date.from(now.minusSeconds(60)));
        other.setNextUpdate(java.util.Date.from(now.plusSeconds(60)));
        java.security.KeyPair k = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        byte[] foreign = other.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate()))
                .getEncoded();
        assertThat(revocation.apply(foreign).detail()).isEqualTo("CRLs were given, but none is the ARK's");
    }
}
