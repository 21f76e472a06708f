// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.core.verify.VendorVerification;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Azure SEV-SNP CVM evidence as guest-components sends it, on real Azure vectors (Trustee's
 * az-snp-vtpm test data: V1 answering the nonce "challenge", V2 answering a SHA-384 digest, and a V0
 * Genoa one), verified at an instant inside their VCEKs' validity.
 */
class AzSnpVtpmTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private final AzSnpVtpmTrusteeEvidence shape = new AzSnpVtpmTrusteeEvidence();
    private final AzSnpVtpmEvidenceVerifier verifier = new AzSnpVtpmEvidenceVerifier();

    private static JsonNode vector(String name) throws Exception {
        return JSON.readTree(Vectors.read("azure-cvm-vtpm/snp/" + name));
    }

    private VendorVerification verify(Evidence e) {
        return verifier.verify(e, AT, List.of());
    }

    @Test
    void theTeeIsRegisteredUnderTrusteesName() {
        var tee = Tees.discover().find("az-snp-vtpm").orElseThrow();
        assertThat(tee).isInstanceOf(AzSnpVtpmTee.class);
        assertThat(tee.verifier().format()).isEqualTo("az-snp-vtpm");
        assertThat(tee.trusteeEvidence().orElseThrow().tee()).isEqualTo("az-snp-vtpm");
        // the attester quotes the runtime-data digest as it is: 48 bytes for SHA-384
        Bytes digest = Bytes.of(new byte[48]);
        assertThat(tee.trusteeEvidence().orElseThrow().reportData(digest)).isEqualTo(digest);
    }

    @Test
    void version2VerifiesWithTheNonceAsReportDataAndPcr8ForInitData() throws Exception {
        Evidence e = shape.read(vector("evidence-v2.json"));
        assertThat(e.format()).contains("az-snp-vtpm");
        assertThat(verifier.recognizes(e.bytes().toArray())).isTrue();
        VendorVerification v = verify(e);
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.result().checks()).extracting(Check::name).contains("snp.report.signature", "snp.chain", "hcl.runtime_claims",
                "tpm.quote.signature", "tpm.quote.pcr_digest", "tpm.quote.pcr_selection", "snp.vmpl", "hcl.user_data");
        CommonClaims c = v.claims().orElseThrow();
        assertThat(c.tee()).isEqualTo("az-snp-vtpm");
        // Trustee's test: report_data is the nonce, pcr00 this value
        assertThat(c.reportData().hex()).isEqualTo("982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9a"
                + "a398f647caa2338748cd0fd9f5f819ef");
        assertThat(c.runtimeRegisters()).hasSize(24);
        assertThat(c.runtimeRegisters().get("pcr0").hex()).isEqualTo("84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7");
        assertThat(c.initialMeasurement()).isPresent();
        assertThat(c.debug()).contains(false);
        assertThat(c.vmpl()).contains(0);
        InitDataField init = c.initDataField().orElseThrow();
        assertThat(init.name()).isEqualTo("pcr8");
        assertThat(init.binding()).isEqualTo(InitDataField.Binding.PCR_EXTENDED);
        assertThat(init.value()).isEqualTo(c.runtimeRegisters().get("pcr8"));
    }

    @Test
    void version1AndVersion0VerifyWithoutTheUserDataCheck() throws Exception {
        VendorVerification v1 = verify(shape.read(vector("evidence-v1.json")));
        assertThat(v1.result().failures()).isEmpty();
        assertThat(v1.result().check("hcl.user_data")).as("V1's user-data is zero: nothing to check").isEmpty();
        assertThat(new String(v1.claims().orElseThrow().reportData().toArray())).isEqualTo("challenge");
        assertThat(v1.claims().orElseThrow().runtimeRegisters().get("pcr0").hex())
                .isEqualTo("e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced");
        Evidence genoa = shape.read(vector("evidence-genoa.json"));
        assertThat(JSON.readTree(genoa.bytes().toArray()).get("version").asInt()).as("V0 is read as the V1 it is").isEqualTo(1);
        VendorVerification v0 = verify(genoa);
        assertThat(v0.result().failures()).isEmpty();
        assertThat(v0.claims().orElseThrow().runtimeRegisters().get("pcr0").hex())
                .isEqualTo("afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338");
    }

    @Test
    void writingGivesBackWhatSerdeWrote() throws Exception {
        JsonNode v2 = vector("evidence-v2.json");
        assertThat(JSON.writeValueAsString(shape.write(shape.read(v2)))).isEqualTo(JSON.writeValueAsString(v2));
        // the V1 file is in another member order than serde's struct order: same members, serde's order
        JsonNode v1 = vector("evidence-v1.json");
        JsonNode written = shape.write(shape.read(v1));
        assertThat(written).isEqualTo(v1);
        List<String> names = new java.util.ArrayList<>();
        written.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("version", "tpm_quote", "hcl_report", "vcek");
        Evidence e = shape.read(v2);
        assertThat(shape.read(shape.write(e))).isEqualTo(e);
        assertThat(new String(e.bytes().toArray())).isEqualTo(JSON.writeValueAsString(v2));
        assertThatThrownBy(() -> shape.write(new Evidence(e.format(), e.bytes(), Map.of("certs", Bytes.zeros(1)))))
                .hasMessageContaining("certs").hasMessageContaining("no place");
    }

    /** The attack: V1 evidence relabelled V2 has a user-data that is not its nonce; the freshness check catches it. */
    @Test
    void aRelabelledVersionIsCaughtByTheUserDataCheck() throws Exception {
        ObjectNode relabelled = vector("evidence-v1.json").deepCopy();
        relabelled.put("version", 2);
        VendorVerification v = verify(shape.read(relabelled));
        assertThat(v.result().failures()).extracting(Check::name).containsExactly("hcl.user_data");
        assertThat(v.claims()).isEmpty();
    }

    @Test
    void tamperedPcrsAndPartialListsFail() throws Exception {
        ObjectNode bent = vector("evidence-v2.json").deepCopy();
        ((ArrayNode) bent.get("tpm_quote").get("pcrs")).set(4, JSON.getNodeFactory().textNode("00".repeat(32)));
        assertThat(verify(shape.read(bent)).result().failures()).extracting(Check::name).containsExactly("tpm.quote.pcr_digest");
        // fewer PCRs than quoted: the digest cannot be recomputed and the selection is not the list
        ObjectNode fewer = vector("evidence-v2.json").deepCopy();
        ((ArrayNode) fewer.get("tpm_quote").get("pcrs")).remove(23);
        assertThat(verify(shape.read(fewer)).result().trusted()).isFalse();
    }

    @Test
    void aSignatureFromAnotherKeyFails() throws Exception {
        ObjectNode bent = vector("evidence-v2.json").deepCopy();
        String sig = bent.get("tpm_quote").get("signature").asText();
        ((ObjectNode) bent.get("tpm_quote")).put("signature", (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1));
        assertThat(verify(shape.read(bent)).result().failures()).extracting(Check::name).containsExactly("tpm.quote.signature");
    }

    @Test
    void malformedFieldsAreRefusedByName() throws Exception {
        JsonNode v2 = vector("evidence-v2.json");
        ObjectNode version = v2.deepCopy();
        version.put("version", 3);
        assertRefused(version, "primary_evidence.version");
        ObjectNode std = v2.deepCopy();
        std.put("hcl_report", "a+b/");
        assertRefused(std, "primary_evidence.hcl_report", "URL-safe");
        ObjectNode noVcek = v2.deepCopy();
        noVcek.remove("vcek");
        assertRefused(noVcek, "primary_evidence.vcek", "missing");
        ObjectNode badHex = v2.deepCopy();
        ((ObjectNode) badHex.get("tpm_quote")).put("message", "zz");
        assertRefused(badHex, "tpm_quote.message");
        ObjectNode shortPcr = v2.deepCopy();
        ((ArrayNode) shortPcr.get("tpm_quote").get("pcrs")).set(2, JSON.getNodeFactory().textNode("abcd"));
        assertRefused(shortPcr, "tpm_quote.pcrs[2]", "32 bytes");
        assertRefused(JSON.readTree("{\"quote\": {}}"), "primary_evidence");
        ObjectNode pem = vector("evidence-genoa.json").deepCopy();
        pem.put("vcek", "MIIB");
        assertRefused(pem, "primary_evidence.vcek", "PEM");
        // through the verifier, unreadable evidence is a failed check, not an exception
        assertThat(verifier.verify(Evidence.of(Bytes.of("{\"version\": 9}".getBytes()), Map.of()), AT, List.of()).result().failures())
                .extracting(Check::name).containsExactly("evidence.format");
    }

    private void assertRefused(JsonNode n, String... contains) {
        var a = assertThatThrownBy(() -> shape.read(n)).isInstanceOf(AttestationException.class);
        for (String c : contains) {
            a.hasMessageContaining(c);
        }
    }
}
