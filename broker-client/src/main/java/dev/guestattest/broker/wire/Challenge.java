// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.verify.freshness.RuntimeData;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RCAR's answer to auth, {@code {"nonce", "extra-params"}}: the nonce the runtime data must carry,
 * the hash that binds the runtime data into report data ({@code selected-hash-algorithm}), and what
 * a verifier-made request brings the attester (s390's {@code arcb}). The params keep their order.
 */
public record Challenge(String nonce, Map<String, String> extraParams) {
    public static final String HASH = "selected-hash-algorithm";

    public Challenge {
        extraParams = Collections.unmodifiableMap(new LinkedHashMap<>(extraParams));
    }

    public static Challenge fromJson(JsonNode n) {
        return new Challenge(n.path("nonce").asText(""), Wire.texts(n.path("extra-params")));
    }

    public ObjectNode toJson() {
        ObjectNode n = Wire.object().put("nonce", nonce);
        n.set("extra-params", Wire.texts(extraParams));
        return n;
    }

    /** The hash the broker selected; SHA-384 when it names none, as Trustee's default. */
    public RuntimeData.Hash hash() {
        return RuntimeData.Hash.named(extraParams.getOrDefault(HASH, "sha384"));
    }
}
