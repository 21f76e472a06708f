// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.mr.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * TPM evidence as GuestAttest's report outblob: the TPMS_ATTEST and TPMT_SIGNATURE exactly as the
 * TPM marshalled them, the attestation key's TPMT_PUBLIC, the values of the quoted PCRs, and the
 * EK certificate when the TPM has one. Evidence read from a guest-components guest
 * ({@link dev.guestattest.tpm.abi.TpmTrusteeEvidence}) carries the AK as that guest sends it, a DER
 * SubjectPublicKeyInfo (first byte 0x30; a TPMT_PUBLIC starts with 0x00), and no EK certificate.
 */
public record TpmEvidence(Bytes attest, Bytes signature, Bytes akPublic, HashAlgorithm bank, Map<Integer, Bytes> pcrs,
                          java.util.Optional<Bytes> ekCertificate) {
    public static final String FORMAT = "guestattest-tpm-quote/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    public TpmEvidence {
        pcrs = new TreeMap<>(pcrs);
    }

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("attest", Base64.getEncoder().encodeToString(attest.toArray()));
        n.put("signature", Base64.getEncoder().encodeToString(signature.toArray()));
        n.put("ak_public", Base64.getEncoder().encodeToString(akPublic.toArray()));
        n.put("pcr_bank", bank.label());
        ObjectNode p = n.putObject("pcrs");
        pcrs.forEach((k, v) -> p.put(Integer.toString(k), v.hex()));
        ekCertificate.ifPresent(c -> n.put("ek_certificate", Base64.getEncoder().encodeToString(c.toArray())));
        return n.toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    public static TpmEvidence fromJson(byte[] json) {
        JsonNode n = Json.tree("TPM evidence", json);
        if (!FORMAT.equals(n.path("format").asText())) {
            throw AttestationException.invalid("TPM evidence", "format must be " + FORMAT);
        }
        Map<Integer, Bytes> pcrs = new TreeMap<>();
        HashAlgorithm bank = HashAlgorithm.byLabel(n.path("pcr_bank").asText());
        for (var it = n.path("pcrs").fields(); it.hasNext(); ) {
            var e = it.next();
            try {
                pcrs.put(Integer.parseInt(e.getKey()), Bytes.fromHex("TPM evidence pcr " + e.getKey(), e.getValue().asText())
                        .checkLength("TPM evidence pcr " + e.getKey(), bank.size()));
            } catch (NumberFormatException x) {
                throw AttestationException.invalid("TPM evidence pcrs", "'" + e.getKey() + "' is not a PCR number");
            }
        }
        return new TpmEvidence(b64(n, "attest"), b64(n, "signature"), b64(n, "ak_public"), bank, pcrs,
                n.has("ek_certificate") ? java.util.Optional.of(b64(n, "ek_certificate")) : java.util.Optional.empty());
    }

    private static Bytes b64(JsonNode n, String field) {
        try {
            return Bytes.of(Base64.getDecoder().decode(n.path(field).asText("")));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("TPM evidence " + field, "not base64");
        }
    }
}
