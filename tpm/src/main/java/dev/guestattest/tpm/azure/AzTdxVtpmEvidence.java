// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import java.util.List;

/**
 * An Azure TDX confidential VM's evidence as guest-components sends it (guest-components 8246e5e0
 * {@code attestation-agent/attester/src/az_tdx_vtpm/mod.rs} {@code Evidence}; trustee 78962cd4
 * {@code deps/verifier/src/az_tdx_vtpm/compat.rs} reads it as untagged V2 | V1 | V0):
 * {@code {"version": 2, "tpm_quote": {"signature": hex, "message": hex, "pcrs": [hex]},
 * "hcl_report": url-safe base64, "td_quote": url-safe base64}}. The TPM quote is the az-snp-vtpm
 * attester's {@code TpmQuote} (raw RSA signature, marshalled TPMS_ATTEST, SHA-256 PCRs); the HCL
 * report holds the TD report the paravisor asked for, with REPORTDATA[0:32] = SHA-256 of its runtime
 * claims; the TD quote is that TD report quoted by Azure's quoting service (IMDS).
 *
 * <p>V1 is the same shape with {@code "version": 1} (its HCL {@code user-data} is zero, not the
 * report data). V0, with no version, is az-tdx-vtpm 0.x's own serde form, every byte string a JSON
 * array of numbers ({@code {"tpm_quote": {signature, message, pcrs}, "hcl_report", "td_quote"}}), and
 * is read as the V1 it is equivalent to.
 *
 * @param version 1 or 2 (V0 is read as 1); not signed, so it only ever adds checks
 */
public record AzTdxVtpmEvidence(int version, Bytes hclReport, Bytes tdQuote, Bytes quoteMessage, Bytes quoteSignature, List<Bytes> pcrs) {
    private static final String FIELD = TrusteeEvidence.FIELD;

    public AzTdxVtpmEvidence {
        if (version != 1 && version != 2) {
            throw AttestationException.invalid(FIELD + ".version", "must be 1 or 2 (or absent for V0), not " + version);
        }
        pcrs = List.copyOf(pcrs);
    }

    /** Reads V2, V1 or V0, refusing anything else by field. */
    public static AzTdxVtpmEvidence parse(JsonNode n) {
        SerdeJson.object(n, FIELD);
        if (!n.has("version")) {
            return v0(n);
        }
        int version = VtpmQuoteJson.version(n);
        VtpmQuoteJson quote = VtpmQuoteJson.read(n);
        return new AzTdxVtpmEvidence(version, VtpmQuoteJson.urlBase64(n, "hcl_report"), VtpmQuoteJson.urlBase64(n, "td_quote"), quote.message(),
                quote.signature(), quote.pcrs());
    }

    /** V0 (trustee's {@code EvidenceV0}): az-tdx-vtpm's {@code vtpm::Quote} and the two reports as byte arrays. */
    private static AzTdxVtpmEvidence v0(JsonNode n) {
        if (!n.has("tpm_quote") || !n.has("td_quote")) {
            throw AttestationException.invalid(FIELD, "is neither V2/V1 (version, tpm_quote, hcl_report, td_quote) nor V0 (tpm_quote, hcl_report,"
                    + " td_quote as byte arrays)");
        }
        VtpmQuoteJson quote = VtpmQuoteJson.readV0(n, "tpm_quote");
        return new AzTdxVtpmEvidence(1, SerdeJson.bytes(n, FIELD, "hcl_report"), SerdeJson.bytes(n, FIELD, "td_quote"), quote.message(),
                quote.signature(), quote.pcrs());
    }

    /** The evidence in guest-components' V2 (or V1) shape, as serde writes it: struct order, lowercase hex, padded URL-safe base64. */
    public ObjectNode json() {
        ObjectNode n = new VtpmQuoteJson(quoteMessage, quoteSignature, pcrs).envelope(version);
        n.put("hcl_report", VtpmQuoteJson.urlBase64(hclReport));
        n.put("td_quote", VtpmQuoteJson.urlBase64(tdQuote));
        return n;
    }
}
