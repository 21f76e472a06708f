// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What both Azure attesters of guest-components send around their hardware reports (guest-components
 * 8246e5e0 {@code attestation-agent/attester/src/az_snp_vtpm/mod.rs} {@code TpmQuote}, which
 * {@code az_tdx_vtpm} reuses; trustee 78962cd4 {@code deps/verifier/src/az_*_vtpm/compat.rs}): the
 * {@code version} (1 or 2; absent in V0), the vTPM quote {@code tpm_quote} as {@code {"signature":
 * hex, "message": hex, "pcrs": [hex]}} (V0: byte arrays), and the reports as padded URL-safe base64.
 * One reading and one writing of that envelope serve az-snp-vtpm and az-tdx-vtpm alike.
 */
record VtpmQuoteJson(Bytes message, Bytes signature, List<Bytes> pcrs) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELD = TrusteeEvidence.FIELD;
    private static final String QUOTE = FIELD + ".tpm_quote";
    /** Far beyond a real one (an HCL report is 2600 bytes, a VCEK about 1300), so that a wrong member is caught early. */
    static final int MAX_FIELD = 64 * 1024;

    VtpmQuoteJson {
        pcrs = List.copyOf(pcrs);
    }

    /** The envelope's {@code version}: 1 or 2 (the caller reads a V0, which has none, its own way). */
    static int version(JsonNode n) {
        JsonNode version = SerdeJson.member(n, FIELD, "version");
        if (!version.isIntegralNumber() || (version.asLong() != 1 && version.asLong() != 2)) {
            throw AttestationException.invalid(FIELD + ".version", "must be 1 or 2 (or absent for V0), not " + version);
        }
        return version.asInt();
    }

    /** V1/V2's {@code tpm_quote}: hex text, 1..24 SHA-256 PCRs. */
    static VtpmQuoteJson read(JsonNode n) {
        JsonNode quote = SerdeJson.object(SerdeJson.member(n, FIELD, "tpm_quote"), QUOTE);
        Bytes signature = hex(SerdeJson.member(quote, QUOTE, "signature"), QUOTE + ".signature");
        Bytes message = hex(SerdeJson.member(quote, QUOTE, "message"), QUOTE + ".message");
        JsonNode pcrs = SerdeJson.member(quote, QUOTE, "pcrs");
        if (!pcrs.isArray() || pcrs.isEmpty() || pcrs.size() > 24) {
            throw AttestationException.invalid(QUOTE + ".pcrs", "must be an array of 1..24 SHA-256 PCRs in hex");
        }
        List<Bytes> values = new ArrayList<>();
        for (int i = 0; i < pcrs.size(); i++) {
            values.add(hex(pcrs.get(i), QUOTE + ".pcrs[" + i + "]").checkLength(QUOTE + ".pcrs[" + i + "]", 32));
        }
        return new VtpmQuoteJson(message, signature, values);
    }

    /** A V0 quote, member {@code name} of {@code n}: the az crates' own serde form, byte arrays, 1..24 SHA-256 PCRs. */
    static VtpmQuoteJson readV0(JsonNode n, String name) {
        String q = FIELD + "." + name;
        JsonNode quote = SerdeJson.object(SerdeJson.member(n, FIELD, name), q);
        JsonNode pcrs = SerdeJson.member(quote, q, "pcrs");
        if (!pcrs.isArray() || pcrs.isEmpty() || pcrs.size() > 24) {
            throw AttestationException.invalid(q + ".pcrs", "must be an array of 1..24 SHA-256 PCRs");
        }
        List<Bytes> values = new ArrayList<>();
        for (int i = 0; i < pcrs.size(); i++) {
            // SerdeJson reads members; an array element is wrapped as one to get its checks and field name
            values.add(SerdeJson.bytes(JSON.createObjectNode().set("pcrs[" + i + "]", pcrs.get(i)), q, "pcrs[" + i + "]", 32));
        }
        return new VtpmQuoteJson(SerdeJson.bytes(quote, q, "message"), SerdeJson.bytes(quote, q, "signature"), values);
    }

    /** The envelope as serde writes it, up to the reports: {@code version}, then {@code tpm_quote} in struct order, lowercase hex. */
    ObjectNode envelope(int version) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", version);
        ObjectNode q = n.putObject("tpm_quote");
        q.put("signature", signature.hex());
        q.put("message", message.hex());
        ArrayNode values = q.putArray("pcrs");
        pcrs.forEach(p -> values.add(p.hex()));
        return n;
    }

    /** A report as serde_with's {@code Base64<UrlSafe>} writes it: URL-safe, padded. */
    static String urlBase64(Bytes b) {
        return Base64.getUrlEncoder().encodeToString(b.toArray());
    }

    static Bytes urlBase64(JsonNode n, String name) {
        JsonNode v = SerdeJson.member(n, FIELD, name);
        if (!v.isTextual() || v.asText().length() > 2 * MAX_FIELD) {
            throw AttestationException.invalid(FIELD + "." + name, "must be URL-safe base64 text (serde_with Base64<UrlSafe>)");
        }
        try {
            return Bytes.of(Base64.getUrlDecoder().decode(v.asText()));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid(FIELD + "." + name, "is not URL-safe base64: " + e.getMessage());
        }
    }

    private static Bytes hex(JsonNode v, String field) {
        if (!v.isTextual() || v.asText().length() > 2 * MAX_FIELD || v.asText().length() % 2 != 0) {
            throw AttestationException.invalid(field, "must be hex text (serde_with Hex)");
        }
        if (!v.asText().matches("[0-9a-fA-F]*")) {
            throw AttestationException.invalid(field, "is not hex");
        }
        return Bytes.fromHex(field, v.asText());
    }
}
