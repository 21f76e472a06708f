// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import java.io.IOException;

/**
 * JSON documents from untrusted bytes, read strictly: one value and nothing after it, no
 * duplicate keys (two readers could each see another value), a typed error naming the document.
 */
public final class Json {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final ObjectMapper SECTIONS = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Json() {
    }

    /**
     * A section of a larger document (a TEE's rules in a policy) as {@code type}, snake_case names,
     * unknown fields refused; the error names {@code where} and the field.
     */
    public static <T> T section(String where, JsonNode node, Class<T> type) {
        try {
            return SECTIONS.treeToValue(node, type);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw AttestationException.invalid(where + "." + e.getPropertyName(), "is not a known field " + e.getKnownPropertyIds());
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(java.util.stream.Collectors.joining());
            throw AttestationException.invalid(where + field, e.getOriginalMessage().lines().findFirst().orElse("has the wrong type"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AttestationException.invalid(where, e.getOriginalMessage().lines().findFirst().orElse("unreadable"));
        }
    }

    /** The document's tree; {@code what} names it in errors. */
    public static JsonNode tree(String what, byte[] json) {
        try {
            JsonNode n = STRICT.readTree(json);
            if (n == null || n.isMissingNode()) {
                throw AttestationException.invalid(what, "is empty");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AttestationException.invalid(what, "not one JSON document: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw AttestationException.invalid(what, "unreadable: " + e.getMessage());
        }
    }
}
