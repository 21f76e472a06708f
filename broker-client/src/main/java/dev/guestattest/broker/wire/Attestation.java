// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RCAR's attest request: {@code {"runtime-data": {"nonce", "tee-pubkey"}, "tee-evidence"}}.
 * {@code init-data} is refused (this broker does not take it); other members are ignored, as Trustee
 * guests may send them.
 */
public record Attestation(Runtime runtimeData, TeeEvidence teeEvidence) {
    /**
     * The runtime data: the session's nonce and the TEE's public key as the guest sent it. The key
     * stays the JSON it was (the report data binds its canonical form, which a parsed JWK would not
     * reproduce); a missing key is a {@link MissingNode}, which the broker refuses as not a JWK.
     */
    public record Runtime(String nonce, JsonNode teePubkey) {
        public static Runtime fromJson(JsonNode n) {
            return new Runtime(n.path("nonce").asText(""), n.path("tee-pubkey").isMissingNode() || n.path("tee-pubkey").isNull()
                    ? MissingNode.getInstance() : n.get("tee-pubkey"));
        }

        public ObjectNode toJson() {
            ObjectNode n = Wire.object().put("nonce", nonce);
            n.set("tee-pubkey", teePubkey);
            return n;
        }
    }

    public static Attestation fromJson(JsonNode n) {
        if (n.has("init-data") && !n.get("init-data").isNull()) {
            throw new WireException("init-data is not supported by this broker; leave it out");
        }
        return new Attestation(Runtime.fromJson(n.path("runtime-data")), TeeEvidence.fromJson(n.path("tee-evidence")));
    }

    public ObjectNode toJson() {
        ObjectNode n = Wire.object();
        n.set("runtime-data", runtimeData.toJson());
        n.set("tee-evidence", teeEvidence.toJson());
        return n;
    }
}
