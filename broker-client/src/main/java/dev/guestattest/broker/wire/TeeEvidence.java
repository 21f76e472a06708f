// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This project's own dialect of RCAR's primary evidence, {@code {"evidence": base64, "aux": {name:
 * base64}}}, which its older guests send and {@code /appraise} takes; guest-components' shapes are
 * each TEE's {@link dev.guestattest.core.tee.TrusteeEvidence}. Field names in refusals are the wire's.
 */
public record TeeEvidence(Bytes evidence, Map<String, Bytes> aux) {
    public TeeEvidence {
        aux = Map.copyOf(aux);
    }

    public static TeeEvidence of(Evidence e) {
        return new TeeEvidence(e.bytes(), e.aux());
    }

    /** The plain object, {@code {"evidence", "aux"}}: the broker's {@code /appraise} takes it at the top level. */
    public static TeeEvidence fromObject(JsonNode e) {
        if (!e.path("evidence").isTextual()) {
            throw new WireException("tee-evidence.evidence must be the evidence in base64");
        }
        Bytes bytes = Wire.base64("tee-evidence.evidence", e.get("evidence").asText());
        JsonNode a = e.path("aux");
        if (!a.isMissingNode() && !a.isObject()) {
            throw new WireException("tee-evidence.aux must be an object of base64 parts");
        }
        Map<String, Bytes> aux = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> part = it.next();
            aux.put(part.getKey(), Wire.base64("tee-evidence.aux." + part.getKey(), part.getValue().asText()));
        }
        return new TeeEvidence(bytes, aux);
    }

    public ObjectNode toJson() {
        ObjectNode primary = Wire.object().put("evidence", Wire.base64(evidence));
        ObjectNode parts = primary.putObject("aux");
        aux.forEach((k, v) -> parts.put(k, Wire.base64(v)));
        return primary;
    }

    public Evidence toEvidence(Optional<String> format) {
        return new Evidence(format, evidence, aux);
    }
}
