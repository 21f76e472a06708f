// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.azure.AzSnpVtpmEvidenceVerifier;
import dev.guestattest.tpm.azure.AzSnpVtpmTee;
import dev.guestattest.tpm.azure.AzSnpVtpmTrusteeEvidence;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated Azure CVM end to end through the az-snp-vtpm verifier, and the attacks on its bindings. */
class EmulatedAzureCvmTest {
    @TempDir
    static Path state; // one chip for the class: its RSA-4096 keys take seconds

    private static ProviderContext context;
    private static EmulatedAzureCvm cvm;
    private final AzSnpVtpmTrusteeEvidence shape = new AzSnpVtpmTrusteeEvidence();
    private final AzSnpVtpmEvidenceVerifier verifier = new AzSnpVtpmEvidenceVerifier();

    @BeforeAll
    static void boot() throws Exception {
        context = ProviderContext.defaults().withStateDir(state);
        cvm = EmulatedAzureCvm.open(context);
    }

    private static Bytes digest(String runtimeData) {
        return Bytes.of(HashAlgorithm.SHA384.hash(runtimeData.getBytes()));
    }

    private VendorVerification verify(JsonNode primary) {
        return verifier.verify(shape.read(primary), Instant.now(), cvm.roots());
    }

    @Test
    void itsEvidenceVerifiesEndToEndWithTheEmulatedArkTrusted() throws Exception {
        Bytes initData = Bytes.of(HashAlgorithm.SHA256.hash("version = \"0.1.0\"\n".getBytes()));
        EmulatedAzureCvm fresh = EmulatedAzureCvm.open(context);
        fresh.extend(8, initData);
        Bytes rd = digest("runtime data");
        VendorVerification v = verifier.verify(shape.read(fresh.evidence(rd)), Instant.now(), fresh.roots());
        assertThat(v.result().failures()).isEmpty();
        CommonClaims c = v.claims().orElseThrow();
        assertThat(c.reportData()).isEqualTo(rd);
        assertThat(c.runtimeRegisters()).hasSize(24);
        assertThat(c.initDataField().orElseThrow().binds(initData)).as("PCR 8 binds the init-data digest").isTrue();
        assertThat(c.vmpl()).contains(0);
        assertThat(c.initialMeasurement()).isPresent();
        // without the emulated ARK among the roots, the chain ends at an untrusted ARK
        assertThat(verifier.verify(shape.read(fresh.evidence(rd)), Instant.now(), List.of()).result().failures())
                .extracting(Check::name).contains("snp.chain");
        // the TEE's emulator anchors are the same chip's
        assertThat(new AzSnpVtpmTee().emulatorAnchors(context).orElseThrow().roots()).containsExactlyElementsOf(cvm.roots());
        // and what it makes round-trips through the guest-components shape exactly
        Evidence e = shape.read(fresh.evidence(rd));
        assertThat(shape.read(shape.write(e))).isEqualTo(e);
    }

    /** The attack: a quote signed by a key that is not the HCLAkPub the SNP report vouches for. */
    @Test
    void aQuoteSignedByAnotherKeyFailsTheSignature() throws Exception {
        Bytes rd = digest("another key");
        KeyPair other = EmulatedAzureCvm.rsa();
        assertThat(verify(cvm.forged(rd, rd, other, true)).result().failures()).extracting(Check::name)
                .containsExactly("tpm.quote.signature");
    }

    /** The attack: runtime claims (the AK) that the SNP report's REPORT_DATA does not bind. */
    @Test
    void runtimeClaimsNotBoundByTheReportFail() throws Exception {
        Bytes rd = digest("unbound claims");
        VendorVerification v = verify(cvm.forged(rd, rd, cvm.signingKey(), false));
        assertThat(v.result().failures()).extracting(Check::name).containsExactly("hcl.runtime_claims");
        assertThat(v.claims()).isEmpty();
    }

    /**
     * The attack: a replay. The HCL report (SNP report) was made for one request and the quote for
     * another: the user-data check fails; and the report data claimed is the quote's nonce, which
     * the appraiser compares with the one it expects.
     */
    @Test
    void aWrongNonceFailsTheUserDataCheck() throws Exception {
        Bytes old = digest("yesterday's request");
        Bytes now = digest("today's request");
        VendorVerification v = verify(cvm.forged(now, old, cvm.signingKey(), true));
        assertThat(v.result().failures()).extracting(Check::name).containsExactly("hcl.user_data");
        // relabelled V1 (Trustee then skips the check): the non-zero user-data is still checked here
        com.fasterxml.jackson.databind.node.ObjectNode v1 = (com.fasterxml.jackson.databind.node.ObjectNode) cvm.forged(now, old, cvm.signingKey(), true);
        v1.put("version", 1);
        assertThat(verify(v1).result().failures()).extracting(Check::name).containsExactly("hcl.user_data");
        // an honest quote for another nonce verifies, and claims that nonce, not the one expected
        VendorVerification honest = verify(cvm.evidence(old));
        assertThat(honest.result().failures()).isEmpty();
        assertThat(honest.claims().orElseThrow().reportData()).isEqualTo(old).isNotEqualTo(now);
    }

    /**
     * A real TPM's quote in the same evidence: swtpm with an RSA restricted AK quotes the 24
     * SHA-256 PCRs; the runtime claims publish that AK. Checks the emulated vTPM's marshalling
     * against what a TPM produces, since both go through the one verifier.
     */
    @Test
    void aQuoteFromARealTpmVerifiesInTheSameEvidence(@TempDir Path tmp) throws Exception {
        try (Swtpm swtpm = Swtpm.start(tmp.resolve("swtpm"))) {
            Bytes rd = digest("real tpm");
            PcrSelection all = new PcrSelection(Tpm2.ALG_SHA256, new TreeSet<>(IntStream.range(0, 24).boxed().toList()));
            Tpm.Key ak;
            Tpm.Quoted q;
            Map<Integer, Bytes> values;
            try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", swtpm.port(), Duration.ofSeconds(5)))) {
                ak = tpm.createPrimary(Tpm2.RH_OWNER, TpmPublic.rsaAttestationKeyTemplate());
                try {
                    q = tpm.quote(ak.handle(), rd, all);
                    values = tpm.pcrRead(all);
                } finally {
                    tpm.flush(ak.handle());
                }
            }
            EmulatedAzureCvm.Quote quote = new EmulatedAzureCvm.Quote(q.attest(), q.signature().r()); // the raw RSASSA signature
            JsonNode e = cvm.around(quote, new ArrayList<>(values.values()), (RSAPublicKey) ak.publicArea().key(), rd);
            VendorVerification v = verify(e);
            assertThat(v.result().failures()).isEmpty();
            assertThat(v.claims().orElseThrow().reportData()).isEqualTo(rd);
        }
    }
}
