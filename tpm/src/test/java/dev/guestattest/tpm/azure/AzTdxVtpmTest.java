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
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.VendorVerification;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Azure TDX CVM evidence as guest-components sends it, on real Azure bytes: Trustee's az-tdx-vtpm
 * test data (trustee 78962cd4 {@code deps/verifier/test_data/az-tdx-vtpm/}, Apache-2.0; copied to
 * {@code src/test/resources/trustee/az-tdx-vtpm}), answering the nonce "challenge".
 *
 * <p>The TD quote chains to Intel's real root with a PCK of FMSPC 00806F050000, whose collateral
 * (TCB Info, QE Identity, CRLs) is not available offline: Trustee ignores its own end-to-end test
 * of this evidence for the same reason. So the TD quote's verification fails here on collateral
 * alone, and everything else is checked on the real bytes: parsing of V1 and V0, the HCL report's
 * binding to the TD quote's REPORTDATA, the vTPM quote's signature by the HCLAkPub, its nonce and its
 * PCR digest. The emulated TDX CVM ({@code EmulatedAzureTdxCvmTest}) covers the full verification.
 */
class AzTdxVtpmTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Inside the PCK chain's validity (2023-09-13 .. 2030-09-13). */
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    /** What the TD quote's verification fails on offline; everything else must pass. */
    private static final List<String> BINDINGS = List.of("hcl.report_type", "hcl.runtime_claims", "tpm.quote.signature",
            "tpm.quote.pcr_digest", "tpm.quote.pcr_selection");
    private final AzTdxVtpmTrusteeEvidence shape = new AzTdxVtpmTrusteeEvidence();
    private final AzTdxVtpmEvidenceVerifier verifier = new AzTdxVtpmEvidenceVerifier();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = AzTdxVtpmTest.class.getResourceAsStream("/trustee/az-tdx-vtpm/" + name)) {
            return in.readAllBytes();
        }
    }

    private static JsonNode vector(String name) throws IOException {
        return JSON.readTree(resource(name));
    }

    private VendorVerification verify(JsonNode primary) {
        return verifier.verify(shape.read(primary), AT, List.of());
    }

    /** The checks that did not pass, other than the TD quote's own (which need Intel's collateral). */
    private static List<String> nonTdxFailures(VendorVerification v) {
        return v.result().failures().stream().map(Check::name).filter(n -> !n.startsWith("tdx.")).toList();
    }

    @Test
    void theTeeIsRegisteredUnderTrusteesName() {
        var tee = Tees.discover().find("az-tdx-vtpm").orElseThrow();
        assertThat(tee).isInstanceOf(AzTdxVtpmTee.class);
        assertThat(tee.verifier().format()).isEqualTo("az-tdx-vtpm");
        assertThat(tee.trusteeEvidence().orElseThrow().tee()).isEqualTo("az-tdx-vtpm");
        // the attester quotes the runtime-data digest as it is: 48 bytes for SHA-384
        Bytes digest = Bytes.fromHex("digest", "ab".repeat(48));
        assertThat(tee.trusteeEvidence().orElseThrow().reportData(digest)).isEqualTo(digest);
        // no second emulated PCS: the tdx TEE's serves the same platform
        assertThat(tee.emulatedService(dev.guestattest.core.ProviderContext.defaults(), java.time.Duration.ofDays(1))).isEmpty();
    }

    @Test
    void version1AndVersion0AreTheSameEvidenceAndItsBytesAreTrusteesFiles() throws Exception {
        Evidence v1 = shape.read(vector("evidence-v1.json"));
        assertThat(v1.format()).contains("az-tdx-vtpm");
        assertThat(verifier.recognizes(v1.bytes().toArray())).isTrue();
        assertThat(new dev.guestattest.tpm.azure.AzSnpVtpmEvidenceVerifier().recognizes(v1.bytes().toArray())).isFalse();
        AzTdxVtpmEvidence e = AzTdxVtpmEvidence.parse(JSON.readTree(v1.bytes().toArray()));
        assertThat(e.version()).isEqualTo(1);
        assertThat(e.hclReport().toArray()).isEqualTo(resource("hcl-report.bin"));
        assertThat(e.tdQuote().toArray()).isEqualTo(resource("td-quote.bin"));
        assertThat(e.pcrs()).hasSize(24);
        // V0 (byte arrays, no version) is the V1 it is equivalent to, byte for byte
        assertThat(shape.read(vector("evidence-v0.json"))).isEqualTo(v1);
    }

    @Test
    void everythingButTheTdQuotesCollateralVerifiesOnTheRealBytes() throws Exception {
        VendorVerification v = verify(vector("evidence-v1.json"));
        assertThat(nonTdxFailures(v)).isEmpty();
        assertThat(v.result().checks()).extracting(Check::name).containsAll(BINDINGS);
        for (String name : BINDINGS) {
            assertThat(v.result().check(name).orElseThrow().passed()).as(name).isTrue();
        }
        assertThat(v.result().check("hcl.user_data")).as("V1's user-data is zero: nothing to check").isEmpty();
        // offline, the TD quote cannot be appraised: refused, and no claims made
        assertThat(v.result().trusted()).isFalse();
        assertThat(v.result().failures()).extracting(Check::name).allMatch(n -> n.startsWith("tdx."));
        assertThat(v.result().failures().get(0).detail()).containsIgnoringCase("collateral");
        assertThat(v.claims()).isEmpty();
        // Trustee's test: the vTPM nonce is "challenge"
        AzTdxVtpmEvidence e = AzTdxVtpmEvidence.parse(vector("evidence-v1.json"));
        assertThat(new String(dev.guestattest.tpm.abi.TpmAttest.parse(e.quoteMessage().toArray()).extraData().toArray(),
                StandardCharsets.US_ASCII)).isEqualTo("challenge");
        assertThat(e.pcrs().get(0).hex()).isEqualTo("782b20b10f55cc46e2142cc2145d548698073e5beb82752c8d7f9279f0d8a273");
    }

    /** Trustee's {@code test_verify_hcl_var_data_failure}: one byte of the runtime claims changed, the TD quote no longer binds them. */
    @Test
    void changedRuntimeClaimsAreNotBound() throws Exception {
        byte[] hcl = resource("hcl-report.bin");
        hcl[0x0880] += 1;
        ObjectNode bent = vector("evidence-v1.json").deepCopy();
        bent.put("hcl_report", Base64.getUrlEncoder().encodeToString(hcl));
        assertThat(nonTdxFailures(verify(bent))).containsExactly("hcl.runtime_claims");
    }

    /** Trustee's {@code test_verify_tpm_signature_failure} and {@code test_verify_pcrs_failure}. */
    @Test
    void aChangedSignatureOrPcrFails() throws Exception {
        ObjectNode sig = vector("evidence-v1.json").deepCopy();
        String s = sig.get("tpm_quote").get("signature").asText();
        ((ObjectNode) sig.get("tpm_quote")).put("signature", (s.charAt(1) == '0' ? "a1" : "a0") + s.substring(2));
        assertThat(nonTdxFailures(verify(sig))).containsExactly("tpm.quote.signature");
        ObjectNode pcr = vector("evidence-v1.json").deepCopy();
        ((ArrayNode) pcr.get("tpm_quote").get("pcrs")).set(0, JSON.getNodeFactory().textNode("00".repeat(32)));
        assertThat(nonTdxFailures(verify(pcr))).containsExactly("tpm.quote.pcr_digest");
    }

    /** The attack: V1 evidence relabelled V2 claims a freshness its user-data (zeros) does not give. */
    @Test
    void aRelabelledVersionIsCaughtByTheUserDataCheck() throws Exception {
        ObjectNode relabelled = vector("evidence-v1.json").deepCopy();
        relabelled.put("version", 2);
        assertThat(nonTdxFailures(verify(relabelled))).containsExactly("hcl.user_data");
    }

    @Test
    void writingGivesBackWhatSerdeWrote() throws Exception {
        JsonNode v1 = vector("evidence-v1.json");
        JsonNode written = shape.write(shape.read(v1));
        assertThat(written).isEqualTo(v1);
        List<String> names = new java.util.ArrayList<>();
        written.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("version", "tpm_quote", "hcl_report", "td_quote");
        List<String> quote = new java.util.ArrayList<>();
        written.get("tpm_quote").fieldNames().forEachRemaining(quote::add);
        assertThat(quote).containsExactly("signature", "message", "pcrs");
        // serde_with's Base64<UrlSafe> pads: Trustee's file does, and so does what is written
        assertThat(written.get("hcl_report").asText()).endsWith("=");
        Evidence e = shape.read(v1);
        assertThat(shape.read(shape.write(e))).isEqualTo(e);
        assertThat(new String(e.bytes().toArray(), StandardCharsets.UTF_8)).isEqualTo(JSON.writeValueAsString(v1));
        assertThatThrownBy(() -> shape.write(new Evidence(e.format(), e.bytes(), Map.of("collateral", Bytes.zeros(1)))))
                .isInstanceOf(AttestationException.class).hasMessageContaining("collateral").hasMessageContaining("no place");
    }

    @Test
    void malformedFieldsAreRefusedByName() throws Exception {
        JsonNode v1 = vector("evidence-v1.json");
        ObjectNode version = v1.deepCopy();
        version.put("version", 3);
        assertRefused(version, "primary_evidence.version");
        ObjectNode std = v1.deepCopy();
        std.put("td_quote", "a+b/");
        assertRefused(std, "primary_evidence.td_quote", "URL-safe");
        ObjectNode noHcl = v1.deepCopy();
        noHcl.remove("hcl_report");
        assertRefused(noHcl, "primary_evidence.hcl_report", "missing");
        ObjectNode badHex = v1.deepCopy();
        ((ObjectNode) badHex.get("tpm_quote")).put("signature", "zz");
        assertRefused(badHex, "tpm_quote.signature");
        ObjectNode shortPcr = v1.deepCopy();
        ((ArrayNode) shortPcr.get("tpm_quote").get("pcrs")).set(2, JSON.getNodeFactory().textNode("abcd"));
        assertRefused(shortPcr, "tpm_quote.pcrs[2]", "32 bytes");
        ObjectNode v0 = vector("evidence-v0.json").deepCopy();
        v0.put("td_quote", "not bytes");
        assertRefused(v0, "primary_evidence.td_quote");
        assertRefused(JSON.readTree("{\"quote\": {}}"), "primary_evidence");
        // through the verifier, unreadable parts are a failed check, not an exception
        assertThat(verifier.verify(Evidence.of(Bytes.of("{\"version\": 9}".getBytes()), Map.of()), AT, List.of()).result().failures())
                .extracting(Check::name).containsExactly("evidence.format");
        ObjectNode shortHcl = v1.deepCopy();
        shortHcl.put("hcl_report", Base64.getUrlEncoder().encodeToString("HCLA".getBytes()));
        assertThat(verify(shortHcl).result().failures()).extracting(Check::name).containsExactly("hcl.format");
        ObjectNode badQuote = v1.deepCopy();
        badQuote.put("td_quote", Base64.getUrlEncoder().encodeToString(new byte[100]));
        assertThat(verify(badQuote).result().failures()).extracting(Check::name).containsExactly("td_quote.format");
        assertThat(verifier.verify(new Evidence(java.util.Optional.of("az-tdx-vtpm"), shape.read(v1).bytes(), Map.of("ak", Bytes.zeros(1))),
                AT, List.of()).result().failures()).singleElement().satisfies(c -> assertThat(c.detail()).contains("aux part ak"));
    }

    private void assertRefused(JsonNode n, String... contains) {
        var a = assertThatThrownBy(() -> shape.read(n)).isInstanceOf(AttestationException.class);
        for (String c : contains) {
            a.hasMessageContaining(c);
        }
    }
}
