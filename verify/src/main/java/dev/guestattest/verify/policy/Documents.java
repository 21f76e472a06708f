package dev.guestattest.verify.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.guestattest.core.AttestationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads configuration documents (policies) in JSON or YAML into records, strictly: snake_case
 * names, unknown and duplicate fields refused, and every error names the line and the field.
 */
public final class Documents {
    public static final int MAX_SIZE = 1 << 20;
    private static final ObjectMapper JSON = configure(new ObjectMapper());
    private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

    private Documents() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** A document in JSON (it starts with '{') or YAML; {@code what} names it in errors. */
    public static <T> T read(byte[] document, Class<T> type, String what) {
        if (document.length > MAX_SIZE) {
            throw AttestationException.tooLarge(what, document.length, MAX_SIZE);
        }
        boolean json = new String(document, StandardCharsets.UTF_8).stripLeading().startsWith("{");
        ObjectMapper format = json ? JSON : YAML;
        try {
            T value = format.readValue(document, type);
            if (value == null) {
                throw AttestationException.invalid(what, "is empty");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw AttestationException.invalid(what, "line " + line(format, document, e) + ": unknown field '" + path(e)
                    + "' (known: " + e.getKnownPropertyIds() + ")");
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
     * The line of the field that failed. Records are built once all their fields are read, so the
     * exception's own location is the object's end; the document is read again to find the field.
     */
    private static String line(ObjectMapper format, byte[] document, JsonMappingException e) {
        String target = "/" + String.join("/", e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex())).toList());
        try (JsonParser p = format.getFactory().createParser(document)) {
            while (p.nextToken() != null) {
                if (p.getParsingContext().pathAsPointer().toString().equals(target)) {
                    return Integer.toString(p.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException ignored) {
            // the document reads as far as the failing field, or the exception's location is the best there is
        }
        return e.getLocation() == null ? "?" : Integer.toString(e.getLocation().getLineNr());
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
