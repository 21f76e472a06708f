// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Field access for Intel's signed JSON objects (TCB Info, QE Identity) with errors that name the field. */
final class SignedJson {
    private final String what;
    private final JsonNode node;

    private SignedJson(String what, JsonNode node) {
        this.what = what;
        this.node = node;
    }

    /** Read strictly, as every untrusted document (a duplicate key is refused: the signed bytes could mean two things). */
    static SignedJson parse(String what, String raw) {
        JsonNode n = Json.tree(what, raw);
        if (!n.isObject()) {
            throw AttestationException.invalid(what, "must be a JSON object");
        }
        return new SignedJson(what, n);
    }

    SignedJson object(String field) {
        JsonNode v = require(field);
        if (!v.isObject()) {
            throw AttestationException.invalid(what + "." + field, "must be an object");
        }
        return new SignedJson(what + "." + field, v);
    }

    List<SignedJson> array(String field) {
        JsonNode v = require(field);
        if (!v.isArray()) {
            throw AttestationException.invalid(what + "." + field, "must be an array");
        }
        List<SignedJson> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new SignedJson(what + "." + field + "[" + i + "]", v.get(i)));
        }
        return out;
    }

    List<SignedJson> optionalArray(String field) {
        return has(field) ? array(field) : List.of();
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    String text(String field) {
        JsonNode v = require(field);
        if (!v.isTextual()) {
            throw AttestationException.invalid(what + "." + field, "must be a string");
        }
        return v.asText();
    }

    List<String> texts(String field) {
        List<String> out = new ArrayList<>();
        for (SignedJson s : optionalArray(field)) {
            if (!s.node.isTextual()) {
                throw AttestationException.invalid(s.what, "must be a string");
            }
            out.add(s.node.asText());
        }
        return out;
    }

    int integer(String field, long max) {
        JsonNode v = require(field);
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > max) {
            throw AttestationException.invalid(what + "." + field, "must be an integer in 0.." + max);
        }
        return v.asInt();
    }

    Bytes hex(String field, int length) {
        String s = text(field);
        try {
            return Bytes.of(HexFormat.of().parseHex(s)).checkLength(what + "." + field, length);
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid(what + "." + field, "not hex");
        }
    }

    Instant instant(String field) {
        String s = text(field);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw AttestationException.invalid(what + "." + field, "'" + s + "' is not an ISO-8601 UTC time");
        }
    }

    String what() {
        return what;
    }

    private JsonNode require(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw AttestationException.invalid(what + "." + field, "missing");
        }
        return v;
    }
}
