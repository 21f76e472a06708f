// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import dev.guestattest.tpm.abi.TpmAttest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * An Azure confidential VM's evidence (formats.md §6.3): the HCL report (header, SNP report, IGVM
 * request data, runtime-claims JSON), the VCEK, and a vTPM quote. The SNP report's REPORT_DATA binds
 * the runtime claims, which hold the vTPM attestation key (kid HCLAkPub), so a quote signed by that
 * key is vouched for by the hardware. Reads both the base64/hex layout and the older byte-array one.
 */
public record AzureCvmEvidence(Bytes hclReport, Bytes vcek, Bytes quoteMessage, Bytes quoteSignature, List<Bytes> pcrs) {
    static final int HEADER = 32;
    static final int REPORT = 1184;
    static final int IGVM = 20;

    public static AzureCvmEvidence fromJson(byte[] json) {
        JsonNode n = Json.tree("Azure evidence", json);
        if (n.has("hcl_report")) {
            List<Bytes> pcrs = new ArrayList<>();
            n.path("tpm_quote").path("pcrs").forEach(p -> pcrs.add(Bytes.fromHex("pcr", p.asText())));
            return new AzureCvmEvidence(base64("hcl_report", n.path("hcl_report").asText()),
                    base64("vcek", n.path("vcek").asText()), Bytes.fromHex("tpm_quote.message",
                    n.path("tpm_quote").path("message").asText()), Bytes.fromHex("tpm_quote.signature", n.path("tpm_quote").path("signature").asText()),
                    pcrs);
        }
        if (n.has("report") && n.has("quote")) {
            List<Bytes> pcrs = new ArrayList<>();
            n.path("quote").path("pcrs").forEach(p -> pcrs.add(array(p)));
            String pem = n.path("vcek").asText().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return new AzureCvmEvidence(array(n.path("report")), base64("vcek", pem), array(n.path("quote").path("message")),
                    array(n.path("quote").path("signature")), pcrs);
        }
        throw AttestationException.invalid("Azure evidence", "has neither hcl_report/tpm_quote nor report/quote");
    }

    /** Standard or URL-safe base64, padded or not: Azure's tools write both. */
    private static Bytes base64(String field, String text) {
        try {
            return Bytes.of(Base64.getDecoder().decode(text.strip().replace('-', '+').replace('_', '/')));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("Azure evidence " + field, "not base64: " + e.getMessage());
        }
    }

    private static Bytes array(JsonNode a) {
        byte[] b = new byte[a.size()];
        for (int i = 0; i < b.length; i++) {
            int v = a.get(i).asInt(-1);
            if (v < 0 || v > 255) {
                throw AttestationException.invalid("Azure evidence", "byte array holds " + a.get(i));
            }
            b[i] = (byte) v;
        }
        return Bytes.of(b);
    }

    /** The vTPM quote's extraData: the verifier's nonce. */
    public Bytes nonce() {
        return TpmAttest.parse(quoteMessage.toArray()).extraData();
    }

    /** The SNP report inside the HCL report. */
    public Bytes snpReport() {
        check();
        return Bytes.of(hclReport.toArray(), HEADER, REPORT);
    }

    /** The runtime-claims JSON, exactly as stored (its SHA-256 is in REPORT_DATA). */
    public Bytes runtimeClaims() {
        return new HclReport(hclReport).runtimeClaims();
    }

    private void check() {
        new HclReport(hclReport);
    }

    /** The vTPM attestation key from the runtime claims (kid HCLAkPub, an RSA JWK). */
    public PublicKey attestationKey() {
        return new HclReport(hclReport).attestationKey();
    }

    /**
     * SNP report to AMD's roots, REPORT_DATA binding the claims, the quote signed by their AK, and
     * the PCRs. The nonce is the quote's extraData ({@link #nonce}), report data for the appraiser to judge.
     */
    public VerificationResult verify(SnpVerifier snp) {
        return verification(snp).result();
    }

    /** A verdict with the SNP report's claims, when the report could be read. */
    public record Verification(VerificationResult result, java.util.Optional<dev.guestattest.snp.verify.SnpClaims> snp) {
    }

    /** As {@link #verify}, keeping the SNP report's claims for the caller's common claims. */
    public Verification verification(SnpVerifier snp) {
        List<Check> checks = new ArrayList<>();
        SnpVerification hw;
        try {
            hw = snp.verify(snpReport().toArray(), SnpCertificates.ofSigner(vcek.toArray()));
        } catch (AttestationException e) {
            return new Verification(new VerificationResult(List.of(Check.fail("hcl.format", e))), java.util.Optional.empty());
        }
        java.util.Optional<dev.guestattest.snp.verify.SnpClaims> claims = hw.claims();
        hw.result().checks().forEach(c -> checks.add(new Check("snp." + c.name(), c.passed(), c.detail(), c.kind())));
        byte[] reportData = hw.claims().orElseThrow().reportData().toArray();
        byte[] claimsHash = HashAlgorithm.SHA256.hash(runtimeClaims().toArray());
        checks.add(Arrays.equals(Arrays.copyOf(reportData, 32), claimsHash)
                ? Check.pass("hcl.runtime_claims", "REPORT_DATA[0:32] = SHA-256 of the runtime claims holding the vTPM AK")
                : Check.fail("hcl.runtime_claims", "REPORT_DATA does not bind the runtime claims"));
        TpmAttest attest;
        try {
            attest = TpmAttest.parse(quoteMessage.toArray());
        } catch (AttestationException e) {
            checks.add(Check.fail("tpm.quote.format", e));
            return new Verification(new VerificationResult(checks), claims);
        }
        checks.add(VtpmQuoteChecks.signature(hclReport, quoteMessage, quoteSignature));
        checks.add(VtpmQuoteChecks.pcrDigest(attest, pcrs));
        return new Verification(new VerificationResult(checks), claims);
    }
}
