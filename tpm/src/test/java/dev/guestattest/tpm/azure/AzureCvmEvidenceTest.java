// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.snp.verify.SnpVerifier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Real Azure CVM evidence: the SNP report vouches for the vTPM AK, whose quote carries the PCRs. */
class AzureCvmEvidenceTest {
    private static final SnpVerifier SNP = SnpVerifier.builder()
            .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).build();

    @ParameterizedTest(name = "{0}")
    @CsvSource({"evidence-v1.json, 6368616c6c656e6765, Milan", "evidence-v2.json, , Milan", "evidence-genoa.json, , Genoa"})
    void theCompositeVerifiesEndToEnd(String file, String nonce, String product) {
        AzureCvmEvidence e = AzureCvmEvidence.fromJson(Vectors.read("azure-cvm-vtpm/snp/" + file));
        VerificationResult v = e.verify(SNP);
        if (nonce != null) {
            assertThat(e.nonce()).isEqualTo(Bytes.fromHex("nonce", nonce));
        }
        assertThat(v.failures()).isEmpty();
        assertThat(v.checks()).extracting(Check::name).contains("snp.report.signature", "snp.chain", "hcl.runtime_claims",
                "tpm.quote.signature", "tpm.quote.pcr_digest");
        assertThat(v.check("snp.product").orElseThrow().detail()).startsWith(product);
    }

    @Test
    void aQuoteFromAnotherKeyOrChangedClaimsFail() {
        AzureCvmEvidence e = AzureCvmEvidence.fromJson(Vectors.read("azure-cvm-vtpm/snp/evidence-v1.json"));
        byte[] sig = e.quoteSignature().toArray();
        sig[10] ^= 1;
        AzureCvmEvidence badSig = new AzureCvmEvidence(e.hclReport(), e.vcek(), e.quoteMessage(), Bytes.of(sig), e.pcrs());
        assertThat(badSig.verify(SNP).failures()).extracting(Check::name).containsExactly("tpm.quote.signature");
        byte[] hcl = e.hclReport().toArray();
        hcl[32 + 1184 + 20 + 10] ^= 1; // inside the runtime claims JSON
        AzureCvmEvidence badClaims = new AzureCvmEvidence(Bytes.of(hcl), e.vcek(), e.quoteMessage(), e.quoteSignature(), e.pcrs());
        assertThat(badClaims.verify(SNP).failures()).extracting(Check::name).contains("hcl.runtime_claims");
        var pcrs = new java.util.ArrayList<>(e.pcrs());
        pcrs.set(0, Bytes.zeros(32));
        assertThat(new AzureCvmEvidence(e.hclReport(), e.vcek(), e.quoteMessage(), e.quoteSignature(), pcrs).verify(SNP)
                .failures()).extracting(Check::name).containsExactly("tpm.quote.pcr_digest");
    }
}
