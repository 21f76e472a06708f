// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tpm.azure.AzTdxVtpmEvidence;
import dev.guestattest.tpm.azure.AzTdxVtpmEvidenceVerifier;
import dev.guestattest.tpm.azure.AzTdxVtpmTee;
import dev.guestattest.tpm.azure.AzTdxVtpmTrusteeEvidence;
import dev.guestattest.tpm.azure.HclReport;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated Azure TDX CVM end to end through the az-tdx-vtpm verifier, the TD quote's collateral
 * fetched from the emulated PCS, and the attacks on its bindings: another key's vTPM quote, runtime
 * claims the TD quote does not bind, and a vTPM quote over another nonce than the TD quote's.
 */
class EmulatedAzureTdxCvmTest {
    @TempDir
    static Path state;

    private static EmulatedAzureTdxCvm cvm;
    private static CollateralService pcs;
    private final AzTdxVtpmTrusteeEvidence shape = new AzTdxVtpmTrusteeEvidence();
    private final AzTdxVtpmEvidenceVerifier verifier = new AzTdxVtpmEvidenceVerifier();

    @BeforeAll
    static void boot() throws Exception {
        cvm = EmulatedAzureTdxCvm.open(ProviderContext.defaults().withStateDir(state));
        pcs = cvm.collateral();
    }

    @AfterAll
    static void shutdown() {
        cvm.close();
    }

    private static Bytes digest(String runtimeData) {
        return Bytes.of(HashAlgorithm.SHA384.hash(runtimeData.getBytes()));
    }

    private Evidence e(JsonNode primary) {
        return shape.read(primary);
    }

    private VendorVerification verify(JsonNode primary) {
        return verifier.verify(shape.read(primary), Instant.now(), cvm.roots(), pcs);
    }

    @Test
    void itsEvidenceVerifiesEndToEndWithTheEmulatedRootAndPcs() throws Exception {
        Bytes initData = Bytes.of(HashAlgorithm.SHA256.hash("version = \"0.1.0\"\n".getBytes()));
        try (EmulatedAzureTdxCvm fresh = EmulatedAzureTdxCvm.open(ProviderContext.defaults().withStateDir(state))) {
            fresh.extend(8, initData);
            Bytes rd = digest("runtime data");
            JsonNode sent = fresh.evidence(rd);
            VendorVerification v = verifier.verify(shape.read(sent), Instant.now(), fresh.roots(), pcs);
            assertThat(v.result().failures()).isEmpty();
            assertThat(v.result().checks()).extracting(Check::name).contains("tdx.quote.signature", "hcl.report_type", "hcl.runtime_claims",
                    "tpm.quote.signature", "tpm.quote.pcr_digest", "tpm.quote.pcr_selection", "hcl.user_data");
            assertThat(v.tcbStatus()).contains("UpToDate");
            CommonClaims c = v.claims().orElseThrow();
            assertThat(c.tee()).isEqualTo("az-tdx-vtpm");
            assertThat(c.reportData()).as("the vTPM quote's nonce: the digest, unpadded").isEqualTo(rd);
            assertThat(c.runtimeRegisters()).hasSize(24).containsEntry("pcr8", fresh.pcrs().get(8));
            Quote td = Quote.parse(AzTdxVtpmEvidence.parse(sent).tdQuote().toArray());
            assertThat(c.initialMeasurement()).contains(td.body().mrTd());
            assertThat(c.debug()).isPresent();
            assertThat(c.signers()).containsKey("mrsigner_seam");
            InitDataField init = c.initDataField().orElseThrow();
            assertThat(init.name()).isEqualTo("pcr8");
            assertThat(init.binding()).isEqualTo(InitDataField.Binding.PCR_EXTENDED);
            assertThat(init.binds(initData)).as("PCR 8 binds the init-data digest").isTrue();
            assertThat(v.vendorClaims()).containsKeys("version", "td_report_data", "rtmr0", "mrconfigid");
            // the TD quote binds exactly the runtime claims the HCL report carries, AK and user-data included
            HclReport hcl = new HclReport(AzTdxVtpmEvidence.parse(sent).hclReport());
            assertThat(Arrays.copyOf(td.body().reportData().toArray(), 32)).isEqualTo(HashAlgorithm.SHA256.hash(hcl.runtimeClaims().toArray()));
            assertThat(hcl.attestationKey()).isEqualTo(fresh.attestationKey());

            // without the emulated root among the roots, the TD quote's chain ends at an untrusted root
            assertThat(verifier.verify(shape.read(sent), Instant.now(), List.of(), pcs).result().failures())
                    .extracting(Check::name).allMatch(n -> n.startsWith("tdx.")).isNotEmpty();
            // without a collateral service (and none sent), the TD quote cannot be appraised
            VendorVerification offline = verifier.verify(shape.read(sent), Instant.now(), fresh.roots());
            assertThat(offline.result().trusted()).isFalse();
            assertThat(offline.claims()).isEmpty();
            // this project's evidence may bring the collateral instead (a guest-components guest never does): verified like fetched
            VendorVerification brought = verifier.verify(new Evidence(e(sent).format(), e(sent).bytes(), java.util.Map.of("collateral",
                    fresh.collateralJson())), Instant.now(), fresh.roots());
            assertThat(brought.result().failures()).isEmpty();
            assertThat(brought.result().check("tdx.collateral").orElseThrow().detail()).contains("sent with the evidence");
            // the TEE's emulator anchors are the same platform's root
            assertThat(new AzTdxVtpmTee().emulatorAnchors(ProviderContext.defaults().withStateDir(state)).orElseThrow().roots())
                    .containsExactlyElementsOf(fresh.roots());
            // and what it makes round-trips through the guest-components shape exactly
            Evidence e = shape.read(sent);
            assertThat(shape.read(shape.write(e))).isEqualTo(e);
        }
    }

    /** The attack: a vTPM quote signed by a key that is not the HCLAkPub the TD quote vouches for. */
    @Test
    void aQuoteSignedByAnotherKeyFailsTheSignature() throws Exception {
        Bytes rd = digest("another key");
        KeyPair other = EmulatedAzureCvm.rsa();
        VendorVerification v = verify(cvm.forged(rd, rd, other, true));
        assertThat(v.result().failures()).extracting(Check::name).containsExactly("tpm.quote.signature");
        assertThat(v.claims()).isEmpty();
    }

    /** The attack: runtime claims (the AK) that the TD quote's REPORTDATA does not bind, beside a genuine TD quote of other claims. */
    @Test
    void runtimeClaimsNotBoundByTheTdQuoteFail() throws Exception {
        Bytes rd = digest("unbound claims");
        VendorVerification v = verify(cvm.forged(rd, rd, cvm.signingKey(), false));
        assertThat(v.result().failures()).extracting(Check::name).containsExactly("hcl.runtime_claims");
        assertThat(v.claims()).isEmpty();
    }

    /**
     * The attack: a replay. The TD quote (through the runtime claims' user-data) was made for one
     * request and the vTPM quote for another: the user-data check fails, even relabelled V1. An honest
     * quote for another request verifies but claims that request's nonce as report data, which the
     * appraiser compares with the one it expects (the broker's test shows the refusal).
     */
    @Test
    void aWrongNonceFailsTheUserDataCheck() throws Exception {
        Bytes old = digest("yesterday's request");
        Bytes now = digest("today's request");
        assertThat(verify(cvm.forged(now, old, cvm.signingKey(), true)).result().failures()).extracting(Check::name)
                .containsExactly("hcl.user_data");
        ObjectNode v1 = (ObjectNode) cvm.forged(now, old, cvm.signingKey(), true);
        v1.put("version", 1);
        assertThat(verify(v1).result().failures()).extracting(Check::name).containsExactly("hcl.user_data");
        VendorVerification honest = verify(cvm.evidence(old));
        assertThat(honest.result().failures()).isEmpty();
        assertThat(honest.claims().orElseThrow().reportData()).isEqualTo(old).isNotEqualTo(now);
    }

    /** The attack: an SNP-type HCL report carrying the same claims is not what a TD quote vouches for. */
    @Test
    void anHclReportOfAnotherTypeIsRefused() throws Exception {
        ObjectNode sent = (ObjectNode) cvm.evidence(digest("type"));
        byte[] hcl = AzTdxVtpmEvidence.parse(sent).hclReport().toArray();
        hcl[HclReport.HEADER + HclReport.HW_REPORT + 8] = HclReport.TYPE_SNP;
        sent.put("hcl_report", java.util.Base64.getUrlEncoder().encodeToString(hcl));
        assertThat(verify(sent).result().failures()).extracting(Check::name).containsExactly("hcl.report_type");
    }
}
