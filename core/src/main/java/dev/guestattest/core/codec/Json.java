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

    private Json() {
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
