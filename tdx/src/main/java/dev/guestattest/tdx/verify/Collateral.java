// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The Intel PCS collateral a TDX quote is verified with: the PCK CRL and its issuer chain, the
 * root CA CRL, TCB Info and QE Identity each with their signature and issuer chain. TCB Info and
 * QE Identity are kept as the exact JSON text Intel signed; they are never re-encoded.
 */
public record Collateral(String pckCrlIssuerChain, Bytes rootCaCrl, Bytes pckCrl, String tcbInfoIssuerChain, String tcbInfo,
                         Bytes tcbInfoSignature, String qeIdentityIssuerChain, String qeIdentity, Bytes qeIdentitySignature) {
    /** Real collateral is 15-20 KiB; Intel's processor-CA CRL is the largest part. */
    public static final int MAX_JSON = 4 << 20;

    public Collateral {
        tcbInfoSignature.checkLength("collateral tcb_info_signature", 64);
        qeIdentitySignature.checkLength("collateral qe_identity_signature", 64);
    }

    /**
     * Written out (as the record would generate them) because a verifier keys its prepared
     * collateral by this value: the record's own methods are bootstrapped through
     * java.lang.runtime.ObjectMethods, the only such call on a CLI verify, ~8 ms of its cold start.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Collateral c && pckCrlIssuerChain.equals(c.pckCrlIssuerChain) && rootCaCrl.equals(c.rootCaCrl)
                && pckCrl.equals(c.pckCrl) && tcbInfoIssuerChain.equals(c.tcbInfoIssuerChain) && tcbInfo.equals(c.tcbInfo)
                && tcbInfoSignature.equals(c.tcbInfoSignature) && qeIdentityIssuerChain.equals(c.qeIdentityIssuerChain)
                && qeIdentity.equals(c.qeIdentity) && qeIdentitySignature.equals(c.qeIdentitySignature);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(new Object[] {pckCrlIssuerChain, rootCaCrl, pckCrl, tcbInfoIssuerChain, tcbInfo, tcbInfoSignature,
            qeIdentityIssuerChain, qeIdentity, qeIdentitySignature});
    }

    /** Reads dcap-qvl's {@code QuoteCollateralV3} JSON (CRLs and signatures in hex, the signed objects as strings). */
    public static Collateral fromDcapQvlJson(byte[] json) {
        if (json.length > MAX_JSON) {
            throw AttestationException.tooLarge("collateral", json.length, MAX_JSON);
        }
        JsonNode root = Json.tree("collateral", json);
        if (!root.isObject()) {
            throw AttestationException.invalid("collateral", "must be a JSON object (dcap-qvl QuoteCollateralV3 layout)");
        }
        return new Collateral(text(root, "pck_crl_issuer_chain"), hex(root, "root_ca_crl"), hex(root, "pck_crl"),
                text(root, "tcb_info_issuer_chain"), text(root, "tcb_info"), hex(root, "tcb_info_signature"),
                text(root, "qe_identity_issuer_chain"), text(root, "qe_identity"), hex(root, "qe_identity_signature"));
    }

    /** The same layout, for files the emulator writes and other verifiers read. */
    public byte[] toDcapQvlJson() {
        ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        n.put("pck_crl_issuer_chain", pckCrlIssuerChain);
        n.put("root_ca_crl", rootCaCrl.hex());
        n.put("pck_crl", pckCrl.hex());
        n.put("tcb_info_issuer_chain", tcbInfoIssuerChain);
        n.put("tcb_info", tcbInfo);
        n.put("tcb_info_signature", tcbInfoSignature.hex());
        n.put("qe_identity_issuer_chain", qeIdentityIssuerChain);
        n.put("qe_identity", qeIdentity);
        n.put("qe_identity_signature", qeIdentitySignature.hex());
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * From Intel PCS API v4 responses as served: the TCB Info and QE Identity bodies
     * ({@code {"tcbInfo":{...},"signature":"..."}}), the issuer chains from their headers (decoded
     * PEM), the PCK CRL and root CA CRL in DER. The signed objects are cut from the bodies byte for byte.
     */
    public static Collateral fromPcsResponses(String tcbInfoBody, String tcbInfoChain, String qeIdentityBody, String qeIdentityChain,
                                              byte[] pckCrlDer, String pckCrlChain, byte[] rootCaCrlDer) {
        for (String body : new String[] {tcbInfoBody, qeIdentityBody}) {
            if (body.length() > MAX_JSON) {
                throw AttestationException.tooLarge("PCS response", body.length(), MAX_JSON);
            }
        }
        return new Collateral(pckCrlChain, Bytes.of(rootCaCrlDer), Bytes.of(pckCrlDer), tcbInfoChain,
                rawMember(tcbInfoBody, "tcbInfo", "TCB Info response"), signature(tcbInfoBody, "TCB Info response"), qeIdentityChain,
                rawMember(qeIdentityBody, "enclaveIdentity", "QE Identity response"), signature(qeIdentityBody, "QE Identity response"));
    }

    /** The exact text of a top-level member's object value, as served (signatures cover these bytes). */
    static String rawMember(String json, String member, String from) {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw AttestationException.invalid("response from " + from, "is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.getCurrentName();
                JsonToken value = p.nextToken();
                if (name.equals(member) && value == JsonToken.START_OBJECT) {
                    int start = (int) p.getTokenLocation().getCharOffset();
                    p.skipChildren();
                    int end = (int) p.getCurrentLocation().getCharOffset();
                    return json.substring(start, end);
                }
                p.skipChildren();
            }
            throw AttestationException.invalid("response from " + from, "has no '" + member + "' object");
        } catch (IOException e) {
            throw AttestationException.invalid("response from " + from, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    static Bytes signature(String json, String from) {
        try {
            String hex = Json.tree("signature from " + from, json).path("signature").asText("");
            return Bytes.of(HexFormat.of().parseHex(hex)).checkLength("signature from " + from, 64);
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("signature from " + from, "missing or not hex");
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual()) {
            throw AttestationException.invalid("collateral " + field, v == null ? "missing" : "must be a string");
        }
        return v.asText();
    }

    private static Bytes hex(JsonNode root, String field) {
        String s = text(root, field);
        try {
            return Bytes.of(HexFormat.of().parseHex(s));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("collateral " + field, "not hex: " + e.getMessage());
        }
    }

    /** UTF-8 bytes of a signed object, exactly as signed. */
    static byte[] signedBytes(String raw) {
        return raw.getBytes(StandardCharsets.UTF_8);
    }
}
