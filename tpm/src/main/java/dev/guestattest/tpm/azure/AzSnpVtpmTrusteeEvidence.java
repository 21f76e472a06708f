// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * An Azure SEV-SNP confidential VM's evidence as guest-components sends it, kbs-types tee
 * {@code az-snp-vtpm}: {@code {"version": 2, "tpm_quote": {"signature": hex, "message": hex,
 * "pcrs": [hex]}, "hcl_report": url-safe base64, "vcek": url-safe base64 DER}} (guest-components
 * 8246e5e0 {@code attestation-agent/attester/src/az_snp_vtpm/mod.rs} {@code Evidence}, {@code TpmQuote};
 * trustee 78962cd4 {@code deps/verifier/src/az_snp_vtpm/compat.rs} reads it as untagged V2 | V1 | V0).
 * Hex is serde_with's (lowercase written, either case read), base64 the URL-safe alphabet padded
 * (serde_with's {@code Base64<UrlSafe>}; read padded or not). The signature is the raw RSA
 * signature, not a TPMT_SIGNATURE. V1 is the same shape with {@code "version": 1} (its HCL
 * {@code user-data} does not carry the report data, so Trustee skips that check for it); V0, with no
 * version, carries byte arrays and a PEM VCEK, and is read as the V1 it is equivalent to.
 *
 * <p>This project's form of the evidence (format {@code az-snp-vtpm}) is that JSON itself, V2 or V1,
 * as serde writes it (compact, struct order), so reading it back and forth is exact.
 *
 * <p>The attester passes the runtime-data digest to the vTPM unpadded ({@code get_quote(report_data)}):
 * it is the quote's extraData and the prefix of the HCL runtime claims' {@code user-data}.
 */
public final class AzSnpVtpmTrusteeEvidence implements TrusteeEvidence {
    public static final String TEE = "az-snp-vtpm";

    /** The evidence with the version it came as (1 or 2; V0 is read as 1). */
    public record Versioned(int version, AzureCvmEvidence cvm) {
    }

    @Override
    public String tee() {
        return TEE;
    }

    @Override
    public Evidence read(JsonNode primary) {
        Versioned v = parse(primary);
        return new Evidence(Optional.of(TEE), Bytes.of(json(v).toString().getBytes(StandardCharsets.UTF_8)), Map.of());
    }

    @Override
    public JsonNode write(Evidence e) {
        if (!e.aux().isEmpty()) {
            throw AttestationException.invalid("evidence aux part " + e.aux().keySet().iterator().next(),
                    "guest-components' az-snp-vtpm evidence has no place for it");
        }
        return json(parse(Json.tree("az-snp-vtpm evidence", e.bytes().toArray())));
    }

    /** The digest itself: the attester quotes it unpadded, and Trustee compares the nonce with it exactly. */
    @Override
    public Bytes reportData(Bytes digest) {
        return digest;
    }

    /** The evidence in guest-components' V2 (or V1) shape, as serde writes it. */
    public static ObjectNode json(Versioned v) {
        ObjectNode n = new VtpmQuoteJson(v.cvm().quoteMessage(), v.cvm().quoteSignature(), v.cvm().pcrs()).envelope(v.version());
        n.put("hcl_report", VtpmQuoteJson.urlBase64(v.cvm().hclReport()));
        n.put("vcek", VtpmQuoteJson.urlBase64(v.cvm().vcek()));
        return n;
    }

    /** Reads V2, V1 or V0, refusing anything else by field. */
    public static Versioned parse(JsonNode n) {
        SerdeJson.object(n, FIELD);
        if (!n.has("version")) {
            return v0(n);
        }
        int version = VtpmQuoteJson.version(n);
        VtpmQuoteJson quote = VtpmQuoteJson.read(n);
        return new Versioned(version, new AzureCvmEvidence(VtpmQuoteJson.urlBase64(n, "hcl_report"), VtpmQuoteJson.urlBase64(n, "vcek"),
                quote.message(), quote.signature(), quote.pcrs()));
    }

    /** V0: az-snp-vtpm 0.x's own serde form, {@code {"quote": {signature, message, pcrs} as byte arrays, "report": [u8], "vcek": PEM}}. */
    private static Versioned v0(JsonNode n) {
        if (!n.has("quote") || !n.has("report")) {
            throw AttestationException.invalid(FIELD, "is neither V2/V1 (version, tpm_quote, hcl_report, vcek) nor V0 (quote, report, vcek)");
        }
        VtpmQuoteJson quote = VtpmQuoteJson.readV0(n, "quote");
        JsonNode pem = SerdeJson.member(n, FIELD, "vcek");
        if (!pem.isTextual() || !pem.asText().strip().startsWith("-----BEGIN CERTIFICATE-----")) {
            throw AttestationException.invalid(FIELD + ".vcek", "must be the VCEK in PEM (V0)");
        }
        Bytes vcek;
        try {
            vcek = Bytes.of(Base64.getMimeDecoder().decode(pem.asText().replaceAll("-----[A-Z ]+-----", "")));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid(FIELD + ".vcek", "is not PEM: " + e.getMessage());
        }
        return new Versioned(1, new AzureCvmEvidence(SerdeJson.bytes(n, FIELD, "report"), vcek, quote.message(), quote.signature(),
                quote.pcrs()));
    }
}
