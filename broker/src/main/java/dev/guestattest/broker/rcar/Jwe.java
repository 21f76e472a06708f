package dev.guestattest.broker.rcar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;

/**
 * The JWE JSON flattened serialization KBS answers with ({@code protected, encrypted_key, iv,
 * ciphertext, tag}), to and from nimbus's compact form: the same five base64url parts.
 */
public final class Jwe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PARTS = {"protected", "encrypted_key", "iv", "ciphertext", "tag"};
    public static final int MAX_SIZE = 4 << 20;

    private Jwe() {
    }

    public static String flatten(String compact) {
        String[] p = compact.split("\\.", -1);
        ObjectNode n = JSON.createObjectNode();
        for (int i = 0; i < PARTS.length; i++) {
            n.put(PARTS[i], p[i]);
        }
        return n.toString();
    }

    public static String compact(String flattened) {
        if (flattened.length() > MAX_SIZE) {
            throw AttestationException.tooLarge("JWE", flattened.length(), MAX_SIZE);
        }
        JsonNode n;
        try {
            n = JSON.readTree(flattened);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AttestationException.invalid("JWE", "not JSON");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < PARTS.length; i++) {
            JsonNode part = n.get(PARTS[i]);
            if (part == null || !part.isTextual()) {
                throw AttestationException.invalid("JWE " + PARTS[i], "missing (a flattened JWE has " + String.join(", ", PARTS) + ")");
            }
            b.append(i == 0 ? "" : ".").append(part.asText());
        }
        return b.toString();
    }
}
