// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * RCAR's attest request, as kbs-types' {@code Attestation} has it (kbs-types 900aa8f {@code src/lib.rs};
 * guest-components 8246e5e0 {@code kbs_protocol/src/client/rcar_client.rs}): {@code {"init-data": null
 * | {"format", "body"}, "runtime-data": {"nonce", "tee-pubkey"}, "tee-evidence": {"primary_evidence":
 * <the attester's JSON>, "additional_evidence": "<JSON text, or empty>"}}}. Other members are ignored,
 * as serde does.
 */
public record Attestation(Optional<InitData> initData, Runtime runtimeData, CompositeEvidence teeEvidence) {
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

    /** kbs-types' {@code InitData}: the format ({@code toml} from guest-components) and the document as sent. */
    public record InitData(String format, String body) {
        static Optional<InitData> fromJson(JsonNode n) {
            if (n == null || n.isNull() || n.isMissingNode()) {
                return Optional.empty();
            }
            if (!n.isObject() || !n.path("format").isTextual() || !n.path("body").isTextual()) {
                throw new WireException("init-data must be null or {\"format\": text, \"body\": text}");
            }
            return Optional.of(new InitData(n.get("format").asText(), n.get("body").asText()));
        }

        ObjectNode toJson() {
            return Wire.object().put("format", format).put("body", body);
        }
    }

    /**
     * kbs-types' {@code CompositeEvidence}: the TEE's evidence as its attester wrote it, and the
     * devices' evidence as JSON text ({@code ""} when there is none). Absent
     * {@code additional_evidence} (this project's own older guests) reads as empty.
     */
    public record CompositeEvidence(JsonNode primary, Optional<String> additional) {
        static CompositeEvidence fromJson(JsonNode n) {
            if (!n.isObject()) {
                throw new WireException("tee-evidence must be a JSON object");
            }
            JsonNode extra = n.get("additional_evidence");
            if (extra != null && !extra.isNull() && !extra.isTextual()) {
                throw new WireException("tee-evidence.additional_evidence must be JSON text (a string), as kbs-types has it");
            }
            Optional<String> additional = extra == null || extra.isNull() ? Optional.empty() : Optional.of(extra.asText());
            // this project's oldest guests sent {"evidence", "aux"} without the primary_evidence level
            return new CompositeEvidence(n.has("primary_evidence") ? n.get("primary_evidence") : n, additional);
        }

        /** The primary evidence in this project's own dialect, {@code {"evidence": base64, "aux"}}, if that is what was sent. */
        public Optional<TeeEvidence> own() {
            return primary.isObject() && primary.path("evidence").isTextual() ? Optional.of(TeeEvidence.fromObject(primary)) : Optional.empty();
        }

        ObjectNode toJson() {
            ObjectNode n = Wire.object();
            n.set("primary_evidence", primary);
            additional.ifPresent(a -> n.put("additional_evidence", a));
            return n;
        }
    }

    public static Attestation fromJson(JsonNode n) {
        return new Attestation(InitData.fromJson(n.get("init-data")), Runtime.fromJson(n.path("runtime-data")),
                CompositeEvidence.fromJson(n.path("tee-evidence")));
    }

    public ObjectNode toJson() {
        ObjectNode n = Wire.object();
        n.set("init-data", initData.map(InitData::toJson).orElse(null));
        n.set("runtime-data", runtimeData.toJson());
        n.set("tee-evidence", teeEvidence.toJson());
        return n;
    }
}
