// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON both ends read and write: one mapper, and the readings every message shares. */
public final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();

    private Wire() {
    }

    /** A fresh object to build a message in. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** {@code body} as a JSON object; {@code what} names it in the refusal. */
    public static JsonNode object(byte[] body, String what) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new WireException(what + " is not JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new WireException(what + " must be a JSON object");
        }
        return n;
    }

    /** Base64 text of {@code field}. */
    static Bytes base64(String field, String text) {
        try {
            return Bytes.of(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new WireException(field + " is not base64");
        }
    }

    static String base64(Bytes b) {
        return Base64.getEncoder().encodeToString(b.toArray());
    }

    /** The members of an object as text, in order; anything but an object (and null members) reads as none. */
    static Map<String, String> texts(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    out.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return out;
    }

    static ObjectNode texts(Map<String, String> m) {
        ObjectNode n = object();
        m.forEach(n::put);
        return n;
    }
}
