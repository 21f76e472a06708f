// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.SigningKey;
import dev.guestattest.snp.abi.TcbVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The amd-sev-snp expectations of ../shared/vectors/expected.json. */
class RealReportVerificationTest {
    static final String GO_REPORT = "amd-sev-snp/go-sev-guest/attestation.bin";
    static final String GO_VCEK = "amd-sev-snp/go-sev-guest/vcek.der";
    static final String VIRTEE_REPORT = "amd-sev-snp/virtee-sev/report_milan.hex";
    static final String VIRTEE_VCEK = "amd-sev-snp/virtee-sev/vcek_milan.der";
    static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    static byte[] virteeReport() {
        return HexFormat.of().parseHex(new String(Vectors.read(VIRTEE_REPORT), StandardCharsets.US_ASCII).replaceAll("\\s", ""));
    }

    static SnpVerifier verifier(Instant at) {
        return SnpVerifier.builder().clock(Clock.fixed(at, ZoneOffset.UTC)).build();
    }

    @Test
    void goSevGuestsMilanReportParsesToTheExpectedFields() {
        AttestationReport r = AttestationReport.parse(Vectors.read(GO_REPORT));
        assertThat(r.version()).isEqualTo(2);
        assertThat(r.policy().raw()).isEqualTo(0xb0000L);
        assertThat(r.policy().debugAllowed()).isTrue();
        assertThat(r.policy().smtAllowed()).isTrue();
        assertThat(r.vmpl()).isZero();
        assertThat(r.signatureAlgo()).isEqualTo(1);
        assertThat(r.signingKey()).isEqualTo(SigningKey.VCEK);
        assertThat(r.reportedTcb().raw()).isEqualTo(0x4405000000000002L);
        assertThat(r.reportedTcb().parts(TcbVersion.Layout.MILAN_GENOA)).isEqualTo(new TcbVersion.Parts(0, 2, 0, 5, 68));
        assertThat(r.reportData().hex()).isEqualTo("0102030405" + "00".repeat(59));
        assertThat(r.measurement().hex()).isEqualTo("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01");
        assertThat(r.chipId().hex()).isEqualTo("3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea4"
                + "64cdce40c05f63c9b610c5068b006b5d");
        assertThat(r.currentFirmware()).hasToString("1.49 build 3");
        assertThat(r.toBytes()).isEqualTo(Vectors.read(GO_REPORT));
    }

    @Test
    void goSevGuestsReportVerifiesToAmdsMilanRootButAllowsDebug() {
        SnpVerification v = verifier(NOW).verify(Vectors.read(GO_REPORT), SnpCertificates.ofSigner(Vectors.read(GO_VCEK)));
        // its guest policy allows debugging: reported in the claims, refused by the appraiser's default policy (AppraiserPolicyOnceTest)
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.claims().orElseThrow().debug()).isTrue();
        assertThat(v.result().checks()).extracting(Check::name).containsExactly("report.format", "product", "chain", "chain.validity",
                "signer.tcb", "signer.chip", "report.signature");
        assertThat(v.result().check("chain").orElseThrow().detail()).isEqualTo("SEV-VCEK <- SEV-Milan <- ARK-Milan, ending at a trusted ARK");
        assertThat(v.product()).contains(Product.MILAN);
        SnpVerification lenient = verifier(NOW).verify(Vectors.read(GO_REPORT),
                SnpCertificates.ofSigner(Vectors.read(GO_VCEK)));
        assertThat(lenient.trusted()).isTrue();
        assertThat(lenient.claims().orElseThrow().debug()).isTrue();
    }

    @Test
    void goSevGuestsVcekIsValidOnlyInItsWindow() {
        SnpVerifier later = verifier(Instant.parse("2029-09-24T00:55:29Z"));
        assertThat(later.verify(Vectors.read(GO_REPORT), SnpCertificates.ofSigner(Vectors.read(GO_VCEK))).result().failures())
                .extracting(Check::name).containsExactly("chain.validity");
        SnpVerifier last = verifier(Instant.parse("2029-09-24T00:55:28Z"));
        assertThat(last.verify(Vectors.read(GO_REPORT), SnpCertificates.ofSigner(Vectors.read(GO_VCEK))).trusted()).isTrue();
    }

    @Test
    void virteesMilanReportIsTrusted() {
        SnpVerification v = verifier(NOW).verify(virteeReport(), SnpCertificates.ofSigner(Vectors.read(VIRTEE_VCEK)));
        assertThat(v.result().failures()).isEmpty();
        SnpClaims c = v.claims().orElseThrow();
        assertThat(c.policy()).isEqualTo(0x30000L);
        assertThat(c.reportedTcb()).isEqualTo(new TcbVersion.Parts(0, 3, 0, 8, 115));
        assertThat(c.firmware()).hasToString("1.52 build 4");
        assertThat(c.reportData().hex()).isEqualTo("d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdf"
                + "ca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd");
    }

    @Test
    void aVcekForAnotherChipOrTcbIsRejected() {
        // virtee's VCEK is a real Milan VCEK, but of another chip and TCB than go-sev-guest's report
        SnpVerification v = verifier(NOW).verify(Vectors.read(GO_REPORT),
                SnpCertificates.ofSigner(Vectors.read(VIRTEE_VCEK)));
        assertThat(v.result().failures()).extracting(Check::name).containsExactly("signer.tcb", "signer.chip", "report.signature");
        assertThat(v.result().check("signer.chip").orElseThrow().detail()).endsWith("this VCEK belongs to another chip");
        assertThat(v.result().check("signer.tcb").orElseThrow().detail()).endsWith("this VCEK belongs to another TCB");
    }

    @Test
    void theTurinVcekChainsToTheTurinArkWithItsOwnExtensions() {
        SnpCertificates turin = SnpCertificates.ofSigner(Vectors.read("amd-sev-snp/virtee-sev/vcek_turin.der"));
        VcekExtensions e = VcekExtensions.of(turin.signer());
        assertThat(e.structVersion()).isEqualTo(1);
        assertThat(e.productName()).isEqualTo("Turin");
        assertThat(e.spls()).isEqualTo(new TcbVersion.Parts(0, 0, 0, 0, 9));
        assertThat(e.hwId()).contains(Bytes.fromHex("hwid", "1e550a8ee5cf9f4d"));
        assertThat(turin.signer().getExtensionValue(VcekExtensions.PREFIX + "3.4")).isNull();
        assertThat(verifier(Instant.parse("2025-01-01T00:00:00Z")).verifyChain(turin).checks()).allMatch(Check::passed)
                .first().satisfies(c -> assertThat(c.detail()).isEqualTo("SEV-VCEK <- SEV-Turin <- ARK-Turin, ending at a trusted ARK"));
        assertThat(verifier(Instant.parse("2031-11-06T21:14:01Z")).verifyChain(turin).trusted()).isFalse();
    }

}
