// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.crypto.Signatures;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import dev.guestattest.tpm.abi.TpmAttest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
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
        check();
        ByteBuffer b = ByteBuffer.wrap(hclReport.toArray()).order(ByteOrder.LITTLE_ENDIAN);
        long size = b.getInt(HEADER + REPORT + 16) & 0xffffffffL;
        if (size > hclReport.length() - HEADER - REPORT - IGVM) {
            throw AttestationException.invalid("HCL report", "runtime data size " + size + " exceeds the report");
        }
        return Bytes.of(hclReport.toArray(), HEADER + REPORT + IGVM, (int) size);
    }

    private void check() {
        byte[] h = hclReport.toArray();
        if (h.length < HEADER + REPORT + IGVM || !new String(h, 0, 4, StandardCharsets.US_ASCII).equals("HCLA")) {
            throw AttestationException.invalid("HCL report", "is not an HCLA report of at least " + (HEADER + REPORT + IGVM) + " bytes");
        }
    }

    /** The vTPM attestation key from the runtime claims (kid HCLAkPub, an RSA JWK). */
    public PublicKey attestationKey() {
        try {
            JsonNode claims = new ObjectMapper().readTree(runtimeClaims().toArray());
            for (JsonNode k : claims.path("keys")) {
                if ("HCLAkPub".equals(k.path("kid").asText())) {
                    BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("n").asText()));
                    BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("e").asText()));
                    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
                }
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw AttestationException.invalid("runtime claims", "unreadable HCLAkPub: " + e.getMessage());
        }
        throw AttestationException.invalid("runtime claims", "have no HCLAkPub key");
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
            return new Verification(new VerificationResult(List.of(Check.fail("hcl.format", e.getMessage()))), java.util.Optional.empty());
        }
        java.util.Optional<dev.guestattest.snp.verify.SnpClaims> claims = hw.claims();
        hw.result().checks().forEach(c -> checks.add(new Check("snp." + c.name(), c.passed(), c.detail())));
        byte[] reportData = hw.claims().orElseThrow().reportData().toArray();
        byte[] claimsHash = HashAlgorithm.SHA256.hash(runtimeClaims().toArray());
        checks.add(Arrays.equals(Arrays.copyOf(reportData, 32), claimsHash)
                ? Check.pass("hcl.runtime_claims", "REPORT_DATA[0:32] = SHA-256 of the runtime claims holding the vTPM AK")
                : Check.fail("hcl.runtime_claims", "REPORT_DATA does not bind the runtime claims"));
        TpmAttest attest;
        try {
            attest = TpmAttest.parse(quoteMessage.toArray());
        } catch (AttestationException e) {
            checks.add(Check.fail("tpm.quote.format", e.getMessage()));
            return new Verification(new VerificationResult(checks), claims);
        }
        try {
            checks.add(Signatures.rsaPkcs1Sha256(attestationKey(), quoteMessage.toArray(), quoteSignature.toArray())
                    ? Check.pass("tpm.quote.signature", "signed by the HCL AK (RSASSA-PKCS1-v1_5)")
                    : Check.fail("tpm.quote.signature", "does not verify with the HCL AK"));
        } catch (AttestationException e) {
            checks.add(Check.fail("tpm.quote.signature", "cannot be checked: " + e.getMessage()));
        }
        ByteArrayOutputStream selected = new ByteArrayOutputStream();
        for (int pcr : attest.pcrSelection().pcrs()) {
            if (pcr >= pcrs.size()) {
                checks.add(Check.fail("tpm.quote.pcr_digest", "PCR " + pcr + " is quoted but not supplied"));
                return new Verification(new VerificationResult(checks), claims);
            }
            selected.writeBytes(pcrs.get(pcr).toArray());
        }
        checks.add(Bytes.of(HashAlgorithm.SHA256.hash(selected.toByteArray())).equals(attest.pcrDigest())
                ? Check.pass("tpm.quote.pcr_digest", "the " + attest.pcrSelection().pcrs().size() + " supplied PCRs are the quoted ones")
                : Check.fail("tpm.quote.pcr_digest", "the supplied PCRs do not hash to the quoted digest"));
        return new Verification(new VerificationResult(checks), claims);
    }
}
