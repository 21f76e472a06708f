// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.policy;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.guestattest.core.AttestationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads configuration documents (policies) in JSON or YAML into records, strictly: snake_case
 * names, unknown and duplicate fields refused, no value of another type coerced ("5" or 5.5 for an
 * integer, "true" or 1 for a boolean), no null inside a list or map, and every error names the line
 * and the field. {@link #invalid} gives a reader's own checks the same form.
 */
public final class Documents {
    public static final int MAX_SIZE = 1 << 20;
    private static final ObjectMapper JSON = configure(JsonMapper.builder()).build();
    private static final ObjectMapper YAML = configure(YAMLMapper.builder()).build();

    private Documents() {
    }

    /** A value of the wrong type is a mistake to report, never one to repair: "abab" is not a list, 5.9 not a 5. */
    private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B configure(B b) {
        return b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT).disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
    }

    private static ObjectMapper format(byte[] document) {
        return new String(document, StandardCharsets.UTF_8).stripLeading().startsWith("{") ? JSON : YAML;
    }

    /** A document in JSON (it starts with '{') or YAML; {@code what} names it in errors. */
    public static <T> T read(byte[] document, Class<T> type, String what) {
        if (document.length > MAX_SIZE) {
            throw AttestationException.tooLarge(what, document.length, MAX_SIZE);
        }
        ObjectMapper format = format(document);
        boolean json = format == JSON;
        try {
            T value = format.readValue(document, type);
            if (value == null) {
                throw AttestationException.invalid(what, "is empty");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw AttestationException.invalid(what, "line " + line(format, document, e) + ": unknown field '" + path(e)
                    + "' (known: " + e.getKnownPropertyIds() + ")");
        } catch (InvalidNullException e) {
            throw AttestationException.invalid(what, "line " + line(format, document, e) + ": field '" + path(e) + "': must not be null");
        } catch (MismatchedInputException e) {
            // Jackson's own words name Java types and its coercion settings; say what the document needs instead
            Optional<String> expected = Optional.ofNullable(e.getTargetType()).flatMap(Documents::expected).filter(x -> !e.getPath().isEmpty());
            Optional<Spot> at = spot(format, document, pointer(e));
            throw AttestationException.invalid(what, "line " + line(format, document, e) + ": field '" + path(e) + "': " + expected
                    .map(x -> "must be " + x + at.map(a -> ", not " + a.value()).orElse(""))
                    .orElseGet(() -> e.getOriginalMessage().split("\n")[0]));
        } catch (JsonMappingException e) {
            throw AttestationException.invalid(what, "line " + line(format, document, e) + ": field '" + path(e) + "': "
                    + e.getOriginalMessage().split("\n")[0]);
        } catch (JsonProcessingException e) {
            throw AttestationException.invalid(what, "line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": not "
                    + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw AttestationException.invalid(what, "cannot be read: " + e.getMessage());
        }
    }

    /**
     * A reader's own finding about a document that {@link #read} accepted, in the same form as the
     * read errors: {@code "<what>: line <n>: field 'vmpl[1]': <problem>"}. The field is given as its
     * path: names, and indexes for list elements ({@code "vmpl", 1}).
     */
    public static AttestationException invalid(byte[] document, String what, String problem, Object... path) {
        StringBuilder field = new StringBuilder();
        StringBuilder pointer = new StringBuilder();
        for (Object step : path) {
            if (step instanceof Integer i) {
                field.append('[').append(i).append(']');
            } else {
                field.append(field.length() > 0 ? "." : "").append(step);
            }
            pointer.append('/').append(step.toString().replace("~", "~0").replace("/", "~1"));
        }
        return AttestationException.invalid(what, "line " + line(format(document), document, pointer.toString()).orElse("?") + ": field '"
                + field + "': " + problem);
    }

    /**
     * An error a section's own reader raised (a TEE's rules, given {@code prefix} as where they
     * start) re-raised with its line in {@code document}: the field after the prefix (names and
     * {@code [i]} indexes) is appended to {@code base}. Errors about other fields pass unchanged.
     */
    public static AttestationException located(byte[] document, String what, AttestationException e, String prefix, Object... base) {
        Optional<String> field = e.field().filter(f -> f.equals(prefix) || f.startsWith(prefix + ".") || f.startsWith(prefix + "["));
        if (field.isEmpty()) {
            return e;
        }
        java.util.List<Object> path = new java.util.ArrayList<>(java.util.List.of(base));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)]").matcher(field.get().substring(prefix.length()));
        while (m.find()) {
            path.add(m.group(1) != null ? m.group(1) : (Object) Integer.valueOf(m.group(2)));
        }
        return invalid(document, what, e.problem(), path.toArray());
    }

    /** What a field of {@code type} takes, in the document's terms. */
    private static Optional<String> expected(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return Optional.of("a list");
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return Optional.of("a whole number");
        }
        if (type == Boolean.class || type == boolean.class) {
            return Optional.of("true or false");
        }
        if (type == String.class) {
            return Optional.of("text");
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return Optional.of("a mapping of fields");
        }
        return Optional.empty();
    }

    /** Where a field is in the document, and what is there. */
    private record Spot(int line, String value) {
    }

    /**
     * The line of the field that failed. Records are built once all their fields are read, so the
     * exception's own location is the object's end; the document is read again to find the field.
     */
    private static String line(ObjectMapper format, byte[] document, JsonMappingException e) {
        return spot(format, document, pointer(e)).map(s -> Integer.toString(s.line()))
                .orElseGet(() -> e.getLocation() == null ? "?" : Integer.toString(e.getLocation().getLineNr()));
    }

    private static String pointer(JsonMappingException e) {
        return "/" + String.join("/", e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex())).toList());
    }

    private static Optional<String> line(ObjectMapper format, byte[] document, String pointer) {
        return spot(format, document, pointer).map(s -> Integer.toString(s.line()));
    }

    private static Optional<Spot> spot(ObjectMapper format, byte[] document, String pointer) {
        try (JsonParser p = format.getFactory().createParser(document)) {
            while (p.nextToken() != null) {
                if (p.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    int line = p.currentTokenLocation().getLineNr(); // the field's name where it has one
                    if (p.currentToken() == JsonToken.FIELD_NAME) {
                        p.nextToken();
                    }
                    return Optional.of(new Spot(line, describe(p)));
                }
            }
        } catch (IOException ignored) {
            // the document reads as far as the field, or not at all: the caller has its fallback
        }
        return Optional.empty();
    }

    private static String describe(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "a mapping";
            case VALUE_STRING -> {
                String t = p.getText();
                yield "the text \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
            case VALUE_NULL -> "null";
            default -> p.getText();
        };
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.length() > 0 ? "." : "").append(r.getFieldName());
            } else {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }
}
