// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.abi.TpmAttest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * TPM quotes for the appraiser. Without credential activation GuestAttest cannot tie an AK to a
 * genuine TPM, so the AK must be pinned (aux {@code ak}: its TPMT_PUBLIC, as the evidence carries
 * it); with roots the EK certificate must chain too. PCRs are the runtime registers (pcr0..), the
 * quote's extraData the report data; a TPM has no initial measurement or debug claim.
 */
public final class TpmEvidenceVerifier implements EvidenceVerifier {
    @Override
    public String format() {
        return "tpm";
    }

    @Override
    public boolean recognizes(byte[] e) {
        return e.length < 256 * 1024 && new String(e, StandardCharsets.UTF_8).contains("\"" + TpmEvidence.FORMAT + "\"");
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        TpmEvidence e;
        try {
            e = TpmEvidence.fromJson(evidence.bytes().toArray());
        } catch (AttestationException x) {
            return VendorVerification.failed(Check.fail("evidence.format", x.getMessage()));
        }
        Optional<Bytes> ak = evidence.aux("ak");
        // without a pinned AK, TpmVerifier's ak.pinned fails: any software key makes a well-formed quote
        return of(e, TpmVerifier.verify(e, ak, roots, at));
    }

    /** A TPM verdict as the appraiser takes it: PCRs as registers, extraData as report data. */
    public static VendorVerification of(TpmEvidence e, VerificationResult all) {
        if (!all.trusted()) {
            return new VendorVerification(all, Optional.empty(), Optional.empty(), Map.of());
        }
        SortedMap<String, Bytes> pcrs = new TreeMap<>();
        e.pcrs().forEach((i, v) -> pcrs.put("pcr" + i, v));
        Bytes nonce = TpmAttest.parse(e.attest().toArray()).extraData();
        CommonClaims claims = new CommonClaims("tpm", Optional.empty(), pcrs, Optional.empty(), nonce);
        // PCR 8 of the SHA-256 bank, where Trustee's TPM verifier finds the init-data digest
        if (e.bank() == dev.guestattest.core.mr.HashAlgorithm.SHA256 && pcrs.containsKey("pcr8")) {
            claims = claims.withInitDataField(new InitDataField("pcr8", pcrs.get("pcr8"), InitDataField.Binding.PCR_EXTENDED));
        }
        return new VendorVerification(all, Optional.of(claims), Optional.empty(), Map.of("bank", e.bank().toString()));
    }
}
