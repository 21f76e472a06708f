// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
import dev.guestattest.tpm.abi.TpmAttest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Azure TDX CVMs (format {@code az-tdx-vtpm}) for the appraiser, checking what Trustee's verifier
 * checks (trustee 78962cd4 {@code deps/verifier/src/az_tdx_vtpm/mod.rs} {@code evaluate}): the TD
 * quote by the TDX verifier, to Intel's roots (or extra roots: an emulated platform's) with the
 * PCS collateral the collateral service fetches; REPORTDATA[0:32] binding the HCL runtime claims;
 * the vTPM quote signed by their HCLAkPub; the PCRs it quotes; and for V2 evidence (or any whose
 * {@code user-data} is not zero) that the runtime claims' {@code user-data} starts with the quote's
 * nonce, so that the TD quote is as fresh as the vTPM quote. As for az-snp-vtpm, the quote must
 * also select exactly the PCRs supplied. The AK needs no pin: the TD quote vouches for it.
 *
 * <p>Common claims: the vTPM quote's extraData as report data (the attester quotes the runtime-data
 * digest itself), the PCRs as runtime registers pcr0.., MRTD as the initial measurement, debug from
 * TDATTRIBUTES, the TEE TCB SVNs and MRSIGNERSEAM from the TD quote, and PCR 8 of the SHA-256 bank
 * as where init-data is bound (Trustee: PCR8 = SHA-256(0^32 || digest)). The TD's RTMRs and
 * REPORTDATA stay vendor claims: Azure's paravisor, not the guest, extends them, and Trustee
 * overwrites the TD's report_data and init_data claims with the vTPM's.
 */
public final class AzTdxVtpmEvidenceVerifier implements EvidenceVerifier {
    private static final int MAX_EVIDENCE = 256 * 1024;
    private static final int INIT_DATA_PCR = 8;
    /** The TD quote's collateral, when evidence brings it (this project's evidence may; a guest-components guest never does). */
    private static final String COLLATERAL = "collateral";

    /** The TDX verifier keeps chains, CRLs and fetched collateral warm across calls. */
    private final TdxEvidenceVerifier tdx = new TdxEvidenceVerifier();

    @Override
    public String format() {
        return AzTdxVtpmTrusteeEvidence.TEE;
    }

    @Override
    public boolean recognizes(byte[] e) {
        if (e.length >= MAX_EVIDENCE) {
            return false;
        }
        String s = new String(e, StandardCharsets.UTF_8);
        return s.contains("\"hcl_report\"") && s.contains("\"tpm_quote\"") && s.contains("\"td_quote\"");
    }

    /** With no collateral service: the TD quote's collateral must come with the evidence (aux part {@code collateral}). */
    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        return verify(evidence, at, roots, CollateralService.offline());
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots, CollateralService service) {
        AzTdxVtpmEvidence v;
        TpmAttest attest;
        try {
            if (evidence.bytes().length() >= MAX_EVIDENCE) {
                throw AttestationException.tooLarge("az-tdx-vtpm evidence", evidence.bytes().length(), MAX_EVIDENCE);
            }
            for (String part : evidence.aux().keySet()) {
                if (!part.equals(COLLATERAL)) {
                    throw AttestationException.invalid("evidence aux part " + part, "az-tdx-vtpm evidence takes only '" + COLLATERAL + "'");
                }
            }
            v = AzTdxVtpmEvidence.parse(Json.tree("az-tdx-vtpm evidence", evidence.bytes().toArray()));
            attest = TpmAttest.parse(v.quoteMessage().toArray());
        } catch (AttestationException x) {
            return VendorVerification.failed(Check.fail("evidence.format", x.getMessage()));
        }
        HclReport hcl;
        try {
            hcl = new HclReport(v.hclReport());
        } catch (AttestationException x) {
            return VendorVerification.failed(Check.fail("hcl.format", x.getMessage()));
        }
        Bytes tdReportData;
        try {
            tdReportData = Quote.parse(v.tdQuote().toArray()).body().reportData();
        } catch (AttestationException x) {
            return VendorVerification.failed(Check.fail("td_quote.format", x.getMessage()));
        }
        Bytes nonce = attest.extraData();

        // the TD quote as TDX evidence, so it is verified (and its collateral fetched) exactly as a TD's own
        Map<String, Bytes> aux = new HashMap<>();
        evidence.aux(COLLATERAL).ifPresent(c -> aux.put(COLLATERAL, c));
        VendorVerification td = tdx.verify(new Evidence(Optional.of("tdx"), v.tdQuote(), aux), at, roots, service);
        List<Check> checks = new ArrayList<>();
        td.result().checks().forEach(c -> checks.add(new Check("tdx." + c.name(), c.passed(), c.detail(), c.kind())));

        checks.add(hcl.reportType() == HclReport.TYPE_TDX ? Check.pass("hcl.report_type", "the HCL asked for a TD report (type 4)")
                : Check.fail("hcl.report_type", "the HCL report is of type " + hcl.reportType() + ", not a TD report's " + HclReport.TYPE_TDX));
        byte[] claimsHash = HashAlgorithm.SHA256.hash(hcl.runtimeClaims().toArray());
        checks.add(Arrays.equals(Arrays.copyOf(tdReportData.toArray(), 32), claimsHash)
                ? Check.pass("hcl.runtime_claims", "the TD quote's REPORTDATA[0:32] = SHA-256 of the runtime claims holding the vTPM AK")
                : Check.fail("hcl.runtime_claims", "the TD quote's REPORTDATA does not bind the runtime claims: their AK is not vouched for"));
        checks.add(VtpmQuoteChecks.signature(v.hclReport(), v.quoteMessage(), v.quoteSignature()));
        checks.add(VtpmQuoteChecks.pcrDigest(attest, v.pcrs()));
        checks.add(VtpmQuoteChecks.selection(attest, v.pcrs().size()));
        VtpmQuoteChecks.userData(v.hclReport(), nonce, v.version() >= 2, "TD quote").ifPresent(checks::add);

        VerificationResult result = new VerificationResult(checks);
        if (!result.trusted() || td.claims().isEmpty()) {
            return new VendorVerification(result, Optional.empty(), td.tcbStatus(), Map.of());
        }
        CommonClaims quoted = td.claims().get();
        CommonClaims claims = new CommonClaims(format(), quoted.initialMeasurement(), CommonClaims.registers("pcr", v.pcrs()), quoted.debug(),
                nonce).withTcb(quoted.tcb()).withSigners(quoted.signers());
        if (v.pcrs().size() > INIT_DATA_PCR) {
            claims = claims.withInitDataField(new InitDataField("pcr" + INIT_DATA_PCR, v.pcrs().get(INIT_DATA_PCR),
                    InitDataField.Binding.PCR_EXTENDED));
        }
        Map<String, Object> vendor = new HashMap<>(td.vendorClaims());
        vendor.put("version", v.version());
        vendor.put("td_report_data", tdReportData.hex());
        quoted.runtimeRegisters().forEach((name, value) -> vendor.put(name, value.hex()));
        return new VendorVerification(result, Optional.of(claims), td.tcbStatus(), vendor);
    }
}
