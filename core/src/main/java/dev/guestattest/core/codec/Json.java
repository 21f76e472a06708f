// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import java.io.IOException;

/**
 * JSON documents from untrusted bytes, read strictly: one value and nothing after it, no
 * duplicate keys (two readers could each see another value), a typed error naming the document.
 * Trees are built from Jackson's streaming parser, not through an ObjectMapper: its first use
 * costs a CLI ~37 ms (its date formats load the JDK's locale data), a quarter of a cold
 * {@code verify}; mapping to types ({@link #section}) still uses one, made when first needed.
 */
public final class Json {
    private static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Mapping to types, for policy sections only: created on first use. */
    private static final class Sections {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    private Json() {
    }

    /**
     * A section of a larger document (a TEE's rules in a policy) as {@code type}, snake_case names,
     * unknown fields refused; the error names {@code where} and the field.
     */
    public static <T> T section(String where, JsonNode node, Class<T> type) {
        try {
            return Sections.MAPPER.treeToValue(node, type);
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
        try (JsonParser p = STRICT.createParser(json)) {
            return tree(what, p);
        } catch (IOException e) {
            throw unreadable(what, e);
        }
    }

    /** {@link #tree(String, byte[])} of a document given as text. */
    public static JsonNode tree(String what, String json) {
        try (JsonParser p = STRICT.createParser(json)) {
            return tree(what, p);
        } catch (IOException e) {
            throw unreadable(what, e);
        }
    }

    private static JsonNode tree(String what, JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw AttestationException.invalid(what, "is empty");
        }
        JsonNode root = value(p, first);
        if (p.nextToken() != null) {
            throw AttestationException.invalid(what, "not one JSON document: more follows the value at " + p.currentLocation().offsetDescription());
        }
        return root;
    }

    /** The value that starts at {@code t}, as Jackson's tree model holds it (the parser bounds nesting, 1000 deep). */
    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(value(p, e));
                }
                return a;
            }
            case VALUE_STRING -> {
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return NODES.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);
        }
    }

    private static AttestationException unreadable(String what, IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            return AttestationException.invalid(what, "not one JSON document: " + j.getOriginalMessage().lines().findFirst().orElse(""));
        }
        return AttestationException.invalid(what, "unreadable: " + e.getMessage());
    }
}
