// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * A policy as Trustee's {@code kbs-client} uploads it (trustee 78962cd4 {@code tools/kbs-client/src/lib.rs}):
 * {@code {"type": "rego", "policy_id": "default_cpu", "policy": base64url(no padding) of the file}} to
 * {@code /kbs/v0/attestation-policy}, {@code {"policy": ...}} to {@code /kbs/v0/resource-policy}.
 * The document inside is this broker's own policy (JSON or YAML); Rego is not evaluated here, so a
 * {@code rego} upload is refused by name rather than stored as something it is not. A document
 * that is not such an envelope passes as it is.
 */
final class TrusteePolicyUpload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrusteePolicyUpload() {
    }

    static byte[] unwrap(byte[] document, String what) {
        JsonNode n;
        try {
            n = JSON.readTree(document);
        } catch (IOException e) {
            return document; // YAML, or not a document at all: the policy's own parser says which
        }
        if (n == null || !n.isObject() || !n.path("policy").isTextual() || n.size() > 3) {
            return document;
        }
        String type = n.path("type").asText("");
        if (type.equalsIgnoreCase("rego")) {
            throw new BrokerException(Refusal.BAD_REQUEST, what + " of type 'rego': this broker does not evaluate Rego; upload its own policy"
                    + " (JSON or YAML, docs/trustee.md) with kbs-client --type guestattest");
        }
        try {
            return Base64.getUrlDecoder().decode(n.get("policy").asText());
        } catch (IllegalArgumentException e) {
            throw new BrokerException(Refusal.BAD_REQUEST, what + ": policy is not base64url: " + e.getMessage());
        }
    }
}
