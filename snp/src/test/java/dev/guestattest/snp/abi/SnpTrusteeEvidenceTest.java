// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerifier;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SNP evidence in guest-components' form. The golden input is a real SNP guest's evidence as a
 * Confidential Containers guest sends it: trustee 78962cd4 {@code attestation-service/tests/e2e/evidence.json}
 * (Apache-2.0), a version 3 Milan report with its VCEK in {@code cert_chain}, serialized by the sev
 * crate. Rebuilt here to its 1184 bytes, it must verify with that VCEK: one wrong byte and the
 * signature fails.
 */
class SnpTrusteeEvidenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SnpTrusteeEvidence shape = new SnpTrusteeEvidence();

    static JsonNode trusteeE2e() throws Exception {
        try (InputStream in = SnpTrusteeEvidenceTest.class.getResourceAsStream("/trustee/e2e-evidence.json")) {
            return JSON.readTree(in);
        }
    }

    @Test
    void aRealGuestComponentsReportIsRebuiltToTheBytesItsVcekSigned() throws Exception {
        Evidence e = shape.read(trusteeE2e());
        assertThat(e.format()).contains("snp");
        assertThat(e.bytes().length()).isEqualTo(1184);
        AttestationReport r = AttestationReport.parse(e.bytes().toArray());
        assertThat(r.version()).isEqualTo(3);
        assertThat(r.policy().raw()).isEqualTo(196608);
        assertThat(r.reportedTcb().parts(TcbVersion.Layout.MILAN_GENOA)).isEqualTo(new TcbVersion.Parts(0, 10, 0, 23, 25));
        Bytes vcek = CertTable.parse(e.aux("certs").orElseThrow().toArray()).find(CertTable.VCEK).orElseThrow();
        // the VCEK's validity covers its report's day; the chain check is AMD's Milan roots
        var v = SnpVerifier.builder().clock(Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC)).build()
                .verify(e.bytes().toArray(), SnpCertificates.ofSigner(vcek.toArray()));
        assertThat(v.result().check("report.signature").map(Check::passed)).contains(true);
        assertThat(v.result().check("chain").map(Check::passed)).contains(true);
    }

    @Test
    void writingGivesBackWhatTheSevCrateWrote() throws Exception {
        JsonNode golden = trusteeE2e();
        JsonNode written = shape.write(shape.read(golden));
        // sev 6.3 writes the mitigation vectors of a version 3 report as null; the e2e file predates them
        ObjectNode expected = golden.deepCopy();
        ((ObjectNode) expected.get("attestation_report")).putNull("launch_mit_vector").putNull("current_mit_vector");
        ObjectNode report = (ObjectNode) expected.get("attestation_report");
        JsonNode signature = report.remove("signature");
        report.set("signature", signature);
        // compared as text: the same members in the same order with the same numbers, as serde_json writes them
        assertThat(JSON.writeValueAsString(written).equals(JSON.writeValueAsString(expected))).as("written form equals the sev crate's").isTrue();
    }

    @Test
    void aTamperedFieldChangesTheSignedBytes() throws Exception {
        ObjectNode tampered = trusteeE2e().deepCopy();
        ((ObjectNode) tampered.get("attestation_report")).put("guest_svn", 1);
        Evidence e = shape.read(tampered);
        Bytes vcek = CertTable.parse(e.aux("certs").orElseThrow().toArray()).find(CertTable.VCEK).orElseThrow();
        var v = SnpVerifier.builder().clock(Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC)).build()
                .verify(e.bytes().toArray(), SnpCertificates.ofSigner(vcek.toArray()));
        assertThat(v.result().check("report.signature").map(Check::passed)).contains(false);
    }

    @Test
    void malformedShapesAreRefusedByField() throws Exception {
        ObjectNode bad = trusteeE2e().deepCopy();
        ((ObjectNode) bad.get("attestation_report")).putArray("measurement").add(1);
        assertThatThrownBy(() -> shape.read(bad)).isInstanceOf(AttestationException.class)
                .hasMessageContaining("tee-evidence.primary_evidence.attestation_report.measurement").hasMessageContaining("48 bytes");
        ObjectNode noTcb = trusteeE2e().deepCopy();
        ((ObjectNode) noTcb.get("attestation_report").get("reported_tcb")).put("snp", 256);
        assertThatThrownBy(() -> shape.read(noTcb)).hasMessageContaining("attestation_report.reported_tcb.snp");
        ObjectNode oddCert = trusteeE2e().deepCopy();
        ((ObjectNode) oddCert.get("cert_chain").get(0)).put("cert_type", "PEK");
        assertThatThrownBy(() -> shape.read(oddCert)).hasMessageContaining("cert_chain[0].cert_type");
        assertThatThrownBy(() -> shape.read(JSON.readTree("{\"attestation_report\": 3}"))).hasMessageContaining("attestation_report");
    }

    @Test
    void bytesTheSevFormCannotCarryAreRefusedNotAltered() {
        byte[] report = Vectors.read("amd-sev-snp/go-sev-guest/attestation.bin").clone();
        report[0x04C] = 1; // a reserved byte
        assertThatThrownBy(() -> shape.write(new Evidence(Optional.of("snp"), Bytes.of(report), Map.of())))
                .hasMessageContaining("non-zero reserved bytes");
        assertThatThrownBy(() -> shape.write(new Evidence(Optional.of("snp"), Bytes.of(Vectors.read("amd-sev-snp/go-sev-guest/attestation.bin")),
                Map.of("collateral", Bytes.of(new byte[1]))))).hasMessageContaining("no place for it");
    }

    @Test
    void aVersion2ReportRoundTrips() {
        byte[] report = Vectors.read("amd-sev-snp/go-sev-guest/attestation.bin");
        Evidence e = new Evidence(Optional.of("snp"), Bytes.of(report), Map.of());
        JsonNode written = shape.write(e);
        assertThat(written.get("attestation_report").get("cpuid_fam_id").isNull()).isTrue();
        assertThat(shape.read(written).bytes().toArray()).isEqualTo(report);
    }
}
