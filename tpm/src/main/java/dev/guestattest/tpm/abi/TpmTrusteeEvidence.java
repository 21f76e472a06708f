// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.tpm.TpmEvidence;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * TPM evidence as guest-components sends it: {@code {"tpm_quote": {"signature": base64 TPMT_SIGNATURE,
 * "message": base64 TPMS_ATTEST, "pcrs": [24 lowercase hex SHA-256 PCRs]}, "ak_public": base64 DER
 * SubjectPublicKeyInfo}} (guest-components 8246e5e0 {@code attestation-agent/attester/src/tpm/mod.rs}
 * {@code Evidence}, {@code tpm/utils.rs} {@code TpmQuote}, {@code get_quote}, {@code read_ak_public_key};
 * trustee 78962cd4 {@code deps/verifier/src/tpm/mod.rs} reads the same). It becomes this project's TPM
 * evidence ({@link TpmEvidence}, format {@code tpm}) with the SHA-256 bank's PCRs 0..23 and the AK as
 * the guest sent it, a bare public key.
 *
 * <p>The guest's {@code ak_public} is never a trust anchor here: the TPM verifier trusts a quote only
 * when the AK is pinned by the verifier's own configuration (aux part {@code ak}, which a guest cannot
 * send), as a TPMT_PUBLIC whose name must be the quote's signer or as a public key. Trustee's TPM
 * verifier checks the quote with whatever key the guest sent and leaves it to the policy to compare
 * that key with a {@code trusted_ak} reference value; without such a rule it accepts any key.
 *
 * <p>The attester resizes the runtime-data digest to 32 bytes ({@code report_data.resize(32, 0)}),
 * so a SHA-384 digest loses its last 16 bytes; Trustee resizes the expected value the same way.
 */
public final class TpmTrusteeEvidence implements TrusteeEvidence {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUOTE = FIELD + ".tpm_quote";
    /** guest-components quotes and reads every PCR of the SHA-256 bank. */
    static final int PCRS = PcrSelection.EVERY_PCR.size();
    static final int REPORT_DATA_SIZE = 32;
    private static final Pattern LOWER_HEX_32 = Pattern.compile("[0-9a-f]{64}");

    @Override
    public String tee() {
        return "tpm";
    }

    @Override
    public Evidence read(JsonNode primary) {
        SerdeJson.object(primary, FIELD);
        JsonNode quote = SerdeJson.object(SerdeJson.member(primary, FIELD, "tpm_quote"), QUOTE);
        Bytes signature = SerdeJson.base64(quote, QUOTE, "signature");
        TpmSignature sig;
        try {
            sig = TpmSignature.parse(signature.toArray());
        } catch (AttestationException e) {
            throw AttestationException.invalid(QUOTE + ".signature", "is not a marshalled TPMT_SIGNATURE: " + e.getMessage());
        }
        if (sig.sigAlg() != Tpm2.ALG_RSASSA) {
            throw AttestationException.invalid(QUOTE + ".signature", "must be RSASSA, as the attester signs and Trustee reads it");
        }
        Bytes message = SerdeJson.base64(quote, QUOTE, "message");
        TpmAttest attest;
        try {
            attest = TpmAttest.parse(message.toArray());
        } catch (AttestationException e) {
            throw AttestationException.invalid(QUOTE + ".message", "is not a marshalled TPMS_ATTEST quote: " + e.getMessage());
        }
        Map<Integer, Bytes> pcrs = pcrs(SerdeJson.member(quote, QUOTE, "pcrs"));
        if (attest.pcrSelection().hashAlg() != Tpm2.ALG_SHA256 || !attest.pcrSelection().pcrs().equals(pcrs.keySet())) {
            throw AttestationException.invalid(QUOTE + ".message", "must quote the SHA-256 bank's PCRs 0..23, the ones pcrs lists");
        }
        Bytes ak = SerdeJson.base64(primary, FIELD, "ak_public");
        SpkiKeys.parse(FIELD + ".ak_public", ak);
        return new Evidence(Optional.of("tpm"), Bytes.of(new TpmEvidence(message, signature, ak, HashAlgorithm.SHA256, pcrs,
                Optional.empty()).toJson()), Map.of());
    }

    private static Map<Integer, Bytes> pcrs(JsonNode a) {
        if (!a.isArray() || a.size() != PCRS) {
            throw AttestationException.invalid(QUOTE + ".pcrs", "must be an array of " + PCRS + " PCRs (SHA-256 bank, 0..23)");
        }
        Map<Integer, Bytes> pcrs = new TreeMap<>();
        for (int i = 0; i < PCRS; i++) {
            JsonNode v = a.get(i);
            if (!v.isTextual() || !LOWER_HEX_32.matcher(v.asText()).matches()) {
                throw AttestationException.invalid(QUOTE + ".pcrs[" + i + "]", "must be 64 lowercase hex digits (a SHA-256 PCR)");
            }
            pcrs.put(i, Bytes.fromHex(QUOTE + ".pcrs[" + i + "]", v.asText()));
        }
        return pcrs;
    }

    /**
     * Evidence whose quote guest-components could have made: RSASSA, the SHA-256 bank's 24 PCRs, no
     * EK certificate and no aux parts (the attester has no place for them). An AK given as a
     * TPMT_PUBLIC is sent as its public key, the only form the attester has.
     */
    @Override
    public JsonNode write(Evidence e) {
        if (!e.aux().isEmpty()) {
            throw AttestationException.invalid("evidence aux part " + e.aux().keySet().iterator().next(),
                    "guest-components' TPM evidence has no place for it");
        }
        TpmEvidence t = TpmEvidence.fromJson(e.bytes().toArray());
        if (t.ekCertificate().isPresent()) {
            throw AttestationException.invalid("TPM evidence ek_certificate", "guest-components' TPM evidence has no place for it");
        }
        if (t.bank() != HashAlgorithm.SHA256 || !t.pcrs().keySet().equals(PcrSelection.EVERY_PCR)) {
            throw AttestationException.invalid("TPM evidence pcrs", "guest-components sends the SHA-256 bank's PCRs 0..23, not "
                    + t.bank().label() + " " + t.pcrs().keySet());
        }
        if (TpmSignature.parse(t.signature().toArray()).sigAlg() != Tpm2.ALG_RSASSA) {
            throw AttestationException.invalid("TPM evidence signature", "must be RSASSA: Trustee's TPM verifier reads no other");
        }
        Bytes ak = t.akPublic();
        if (ak.length() == 0 || ak.get(0) != 0x30) {
            PublicKey key = TpmPublic.parse(ak.toArray()).key();
            ak = Bytes.of(key.getEncoded());
        }
        ObjectNode n = JSON.createObjectNode();
        ObjectNode q = n.putObject("tpm_quote");
        q.put("signature", SerdeJson.base64(t.signature()));
        q.put("message", SerdeJson.base64(t.attest()));
        var pcrs = q.putArray("pcrs");
        t.pcrs().values().forEach(v -> pcrs.add(v.hex()));
        n.put("ak_public", SerdeJson.base64(ak));
        return n;
    }

    /** The digest resized to 32 bytes, truncated or zero-padded, as the attester's {@code report_data.resize(32, 0)}. */
    @Override
    public Bytes reportData(Bytes digest) {
        return Bytes.of(Arrays.copyOf(digest.toArray(), REPORT_DATA_SIZE));
    }
}
