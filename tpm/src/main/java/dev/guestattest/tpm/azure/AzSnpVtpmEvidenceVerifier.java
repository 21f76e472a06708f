// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.core.verify.WarmVerifiers;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.snp.verify.SnpClaims;
import dev.guestattest.snp.verify.SnpVerifier;
import dev.guestattest.tpm.abi.TpmAttest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Azure SEV-SNP CVMs (format {@code az-snp-vtpm}) for the appraiser, checking what Trustee's
 * verifier checks (trustee 78962cd4 {@code deps/verifier/src/az_snp_vtpm/mod.rs} {@code evaluate}):
 * the SNP report to AMD's roots (or extra roots: an emulated chip's ARK) with its VCEK, REPORT_DATA
 * binding the HCL runtime claims, the vTPM quote signed by their HCLAkPub, the PCRs it quotes, VMPL 0
 * (the HCL's), and for V2 evidence (or any whose {@code user-data} is not zero) that the runtime
 * claims' {@code user-data} starts with the quote's nonce, so that the SNP report is as fresh as the quote. Unlike Trustee it also requires the quote
 * to select exactly the PCRs supplied (Trustee hashes whatever list it is given), so that no PCR
 * becomes a claim without being quoted. The AK needs no pin: the hardware vouches for it.
 *
 * <p>Common claims: the quote's extraData as report data (the attester quotes the runtime-data
 * digest itself, which the appraiser compares exactly), the PCRs as runtime registers pcr0..,
 * MEASUREMENT as the initial measurement, debug from the guest policy, the SNP TCB, signers,
 * CHIP_ID and VMPL, and PCR 8 of the SHA-256 bank as where init-data is bound.
 */
public final class AzSnpVtpmEvidenceVerifier implements EvidenceVerifier {
    private static final int MAX_EVIDENCE = 256 * 1024;
    private static final int INIT_DATA_PCR = 8;
    /** The VMPL the HCL asks for its reports at (Trustee's {@code HCL_VMPL_VALUE}). */
    private static final long HCL_VMPL = 0;

    private final WarmVerifiers<List<X509Certificate>, SnpVerifier> verifiers = new WarmVerifiers<>(
            (Clock clock, List<X509Certificate> roots) -> SnpVerifier.builder().roots(AmdRoots.amdAnd(roots)).clock(clock).build());

    @Override
    public String format() {
        return AzSnpVtpmTrusteeEvidence.TEE;
    }

    @Override
    public boolean recognizes(byte[] e) {
        if (e.length >= MAX_EVIDENCE) {
            return false;
        }
        String s = new String(e, StandardCharsets.UTF_8);
        return s.contains("\"hcl_report\"") && s.contains("\"tpm_quote\"") && s.contains("\"vcek\"");
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        AzSnpVtpmTrusteeEvidence.Versioned v;
        Bytes nonce;
        TpmAttest attest;
        try {
            if (evidence.bytes().length() >= MAX_EVIDENCE) {
                throw AttestationException.tooLarge("az-snp-vtpm evidence", evidence.bytes().length(), MAX_EVIDENCE);
            }
            v = AzSnpVtpmTrusteeEvidence.parse(Json.tree("az-snp-vtpm evidence", evidence.bytes().toArray()));
            attest = TpmAttest.parse(v.cvm().quoteMessage().toArray());
            nonce = attest.extraData();
        } catch (AttestationException x) {
            return VendorVerification.failed(Check.fail("evidence.format", x.getMessage()));
        }
        AzureCvmEvidence.Verification hw;
        try {
            hw = v.cvm().verification(verifiers.at(at, List.copyOf(roots)));
        } catch (AttestationException x) {
            return VendorVerification.failed(Check.fail("hcl.format", x.getMessage()));
        }
        List<Check> checks = new ArrayList<>(hw.result().checks());
        checks.add(VtpmQuoteChecks.selection(attest, v.cvm().pcrs().size()));
        hw.snp().ifPresent(c -> checks.add(c.vmpl() == HCL_VMPL ? Check.pass("snp.vmpl", "the report was requested at VMPL 0, by the HCL")
                : Check.fail("snp.vmpl", "the report was requested at VMPL " + c.vmpl() + ", not the HCL's " + HCL_VMPL)));
        VtpmQuoteChecks.userData(v.cvm().hclReport(), nonce, v.version() >= 2, "SNP report").ifPresent(checks::add);
        VerificationResult result = new VerificationResult(checks);
        if (!result.trusted() || hw.snp().isEmpty()) {
            return new VendorVerification(result, Optional.empty(), Optional.empty(), Map.of());
        }
        SnpClaims snp = hw.snp().get();
        CommonClaims claims = new CommonClaims(format(), Optional.of(snp.measurement()), CommonClaims.registers("pcr", v.cvm().pcrs()),
                Optional.of(snp.debug()), nonce)
                .withTcb(SnpClaims.tcb(snp.reportedTcb()))
                .withSigners(Map.of("id_key", snp.idKeyDigest(), "author_key", snp.authorKeyDigest()))
                .withPlatformId(snp.chipId())
                .withVmpl(Math.toIntExact(snp.vmpl()));
        if (v.cvm().pcrs().size() > INIT_DATA_PCR) {
            claims = claims.withInitDataField(new InitDataField("pcr" + INIT_DATA_PCR, v.cvm().pcrs().get(INIT_DATA_PCR),
                    InitDataField.Binding.PCR_EXTENDED));
        }
        return new VendorVerification(result, Optional.of(claims), Optional.empty(), Map.of("version", v.version(), "host_data",
                snp.hostData().hex(), "snp_report_data", snp.reportData().hex(), "policy", snp.policy(), "reported_tcb",
                snp.reportedTcb().toString()));
    }
}
