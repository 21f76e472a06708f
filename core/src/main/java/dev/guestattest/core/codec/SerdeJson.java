// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.guestattest.core.AttestationException;
import java.util.Base64;
import java.util.Optional;

/**
 * Bytes as Rust peers write them with serde_json: a {@code Vec<u8>} or {@code [u8; N]} as an array
 * of numbers, a base64 {@code String} as text. Reading is strict (every element 0..255, the exact
 * length where the type fixes one) and every refusal names the field, {@code where.name}.
 */
public final class SerdeJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SerdeJson() {
    }

    /** The member {@code name} of {@code n}; refused when missing or null. */
    public static JsonNode member(JsonNode n, String where, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw AttestationException.invalid(where + "." + name, "is missing");
        }
        return v;
    }

    /** A byte array ({@code Vec<u8>}): an array of numbers 0..255. */
    public static Bytes bytes(JsonNode n, String where, String name) {
        JsonNode a = member(n, where, name);
        if (!a.isArray()) {
            throw AttestationException.invalid(where + "." + name, "must be an array of byte values, not " + a.getNodeType());
        }
        byte[] b = new byte[a.size()];
        for (int i = 0; i < b.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 255 || !v.canConvertToInt()) {
                throw AttestationException.invalid(where + "." + name + "[" + i + "]", "must be a byte value 0..255, not " + v);
            }
            b[i] = (byte) v.asInt();
        }
        return Bytes.of(b);
    }

    /** A fixed-size byte array ({@code [u8; length]}). */
    public static Bytes bytes(JsonNode n, String where, String name, int length) {
        Bytes b = bytes(n, where, name);
        if (b.length() != length) {
            throw AttestationException.invalid(where + "." + name, "must hold " + length + " bytes, not " + b.length());
        }
        return b;
    }

    /** Standard base64 text (padded, as the base64 crate's STANDARD engine writes it). */
    public static Bytes base64(JsonNode n, String where, String name) {
        JsonNode v = member(n, where, name);
        if (!v.isTextual()) {
            throw AttestationException.invalid(where + "." + name, "must be base64 text, not " + v.getNodeType());
        }
        try {
            return Bytes.of(Base64.getDecoder().decode(v.asText()));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid(where + "." + name, "is not base64: " + e.getMessage());
        }
    }

    /** Base64 text, or nothing when the member is null or missing ({@code Option<String>}). */
    public static Optional<Bytes> optionalBase64(JsonNode n, String where, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(base64(n, where, name));
    }

    /** {@code b} as serde writes a byte array. */
    public static ArrayNode array(Bytes b) {
        ArrayNode a = JSON.createArrayNode();
        for (byte x : b.toArray()) {
            a.add(x & 0xff);
        }
        return a;
    }

    public static String base64(Bytes b) {
        return Base64.getEncoder().encodeToString(b.toArray());
    }

    /** The object {@code n} must be; {@code where} names it. */
    public static JsonNode object(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw AttestationException.invalid(where, "must be a JSON object");
        }
        return n;
    }
}
