// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A fetched collateral document as it is cached: the body and headers exactly as served, where
 * and when it was fetched, and until when it was fresh when it was checked (for listings only:
 * every use checks the document again).
 */
public record Document(String key, String source, Instant fetchedAt, Instant freshUntil, Map<String, String> headers, byte[] body) {
    /** The largest document kept (Intel's processor-CA CRL is the largest real one, well under this). */
    public static final int MAX_BODY = 4 << 20;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,80}(/[A-Za-z0-9._-]{1,160}){0,4}");
    private static final ObjectMapper JSON = new ObjectMapper();

    public Document {
        checkKey(key);
        headers = Map.copyOf(headers);
        body = body.clone();
        if (body.length > MAX_BODY) {
            throw AttestationException.tooLarge("collateral " + key, body.length, MAX_BODY);
        }
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** A header kept with the body, matched without regard to case as HTTP does. */
    public Optional<String> header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    public Document withFreshUntil(Instant t) {
        return new Document(key, source, fetchedAt, t, headers, body);
    }

    /** Keys are relative paths of short safe segments, so a key is a file name and never leaves its directory. */
    public static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw AttestationException.invalid("collateral key", "'" + key + "' is not segments of [A-Za-z0-9._-] joined by '/'");
        }
        return key;
    }

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("key", key);
        n.put("source", source);
        n.put("fetched_at", fetchedAt.toString());
        n.put("fresh_until", freshUntil.toString());
        ObjectNode h = n.putObject("headers");
        new java.util.TreeMap<>(headers).forEach(h::put);
        n.put("body", Base64.getEncoder().encodeToString(body));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Document fromJson(String what, byte[] json) {
        if (json.length > MAX_BODY * 2) {
            throw AttestationException.tooLarge(what, json.length, MAX_BODY * 2L);
        }
        JsonNode n = Json.tree(what, json);
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = n.path("headers");
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            headers.put(e.getKey(), e.getValue().asText());
        }
        try {
            return new Document(text(what, n, "key"), text(what, n, "source"), Instant.parse(text(what, n, "fetched_at")),
                    Instant.parse(text(what, n, "fresh_until")), headers, Base64.getDecoder().decode(text(what, n, "body")));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw AttestationException.invalid(what, "a date or the base64 body is malformed: " + e.getMessage());
        }
    }

    private static String text(String what, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw AttestationException.invalid(what + "." + field, v == null ? "missing" : "must be a string");
        }
        return v.asText();
    }

    @Override
    public String toString() {
        return "Document[" + key + " from " + source + ", " + body.length + " bytes, fresh until " + freshUntil + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Document d && key.equals(d.key) && source.equals(d.source) && fetchedAt.equals(d.fetchedAt)
                && headers.equals(d.headers) && java.util.Arrays.equals(body, d.body);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + java.util.Arrays.hashCode(body);
    }
}
