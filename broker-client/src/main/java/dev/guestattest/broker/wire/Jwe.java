// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;

/**
 * The JWE JSON flattened serialization a resource comes back in ({@code protected, encrypted_key,
 * iv, ciphertext, tag}), to and from nimbus's compact form: the same five base64url parts.
 */
public record Jwe(String protectedHeader, String encryptedKey, String iv, String ciphertext, String tag) {
    private static final String[] PARTS = {"protected", "encrypted_key", "iv", "ciphertext", "tag"};
    public static final int MAX_SIZE = 4 << 20;

    public static Jwe fromCompact(String compact) {
        String[] p = compact.split("\\.", -1);
        if (p.length != PARTS.length) {
            throw AttestationException.invalid("JWE", "a compact JWE has " + PARTS.length + " parts, not " + p.length);
        }
        return new Jwe(p[0], p[1], p[2], p[3], p[4]);
    }

    /** Reads a flattened JWE; each part must be there as text. */
    public static Jwe parse(String flattened) {
        if (flattened.length() > MAX_SIZE) {
            throw AttestationException.tooLarge("JWE", flattened.length(), MAX_SIZE);
        }
        JsonNode n;
        try {
            n = Wire.JSON.readTree(flattened);
        } catch (JsonProcessingException e) {
            throw AttestationException.invalid("JWE", "not JSON");
        }
        String[] p = new String[PARTS.length];
        for (int i = 0; i < PARTS.length; i++) {
            JsonNode part = n == null ? null : n.get(PARTS[i]);
            if (part == null || !part.isTextual()) {
                throw AttestationException.invalid("JWE " + PARTS[i], "missing (a flattened JWE has " + String.join(", ", PARTS) + ")");
            }
            p[i] = part.asText();
        }
        return new Jwe(p[0], p[1], p[2], p[3], p[4]);
    }

    public String toCompact() {
        return String.join(".", protectedHeader, encryptedKey, iv, ciphertext, tag);
    }

    public ObjectNode toJson() {
        return Wire.object().put(PARTS[0], protectedHeader).put(PARTS[1], encryptedKey).put(PARTS[2], iv).put(PARTS[3], ciphertext)
                .put(PARTS[4], tag);
    }

    /** Compact to flattened JSON text: what the broker answers. */
    public static String flatten(String compact) {
        return fromCompact(compact).toJson().toString();
    }

    /** Flattened JSON text to compact: what nimbus opens. */
    public static String compact(String flattened) {
        return parse(flattened).toCompact();
    }
}
