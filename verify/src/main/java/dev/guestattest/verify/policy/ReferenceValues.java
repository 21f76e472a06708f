// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A store of reference values with their provenance: for which TEE and claim
 * ({@code initial_measurement} or {@code runtime_registers.<name>}), the value, who added it and
 * when. Immutable; {@link #plus} returns a new store. Loaded from JSON:
 * <pre>{"reference_values": [{"tee": "tdx", "claim": "initial_measurement", "value": "91eb...",
 *   "added_by": "release-pipeline", "added_at": "2026-11-01T10:00:00Z"}]}</pre>
 */
public record ReferenceValues(List<Entry> entries) {
    public static final ReferenceValues EMPTY = new ReferenceValues(List.of());
    public static final int MAX_ENTRIES = 100_000;
    private static final Set<String> FIELDS = Set.of("tee", "claim", "value", "added_by", "added_at");

    public record Entry(String tee, String claim, Bytes value, String addedBy, Instant addedAt) {
        public Entry {
            if (!claim.equals("initial_measurement") && !claim.startsWith("runtime_registers.")) {
                throw AttestationException.invalid("reference value claim", "'" + claim
                        + "' is not initial_measurement or runtime_registers.<name>");
            }
            if (addedBy.isBlank()) {
                throw AttestationException.invalid("reference value added_by", "is required: every value says who vouched for it");
            }
        }

        /** Who vouched for the value, and when: the provenance an appraisal reports. */
        public String provenance() {
            return "added by " + addedBy + " at " + addedAt;
        }
    }

    public ReferenceValues {
        entries = List.copyOf(entries);
        if (entries.size() > MAX_ENTRIES) {
            throw AttestationException.tooLarge("reference values", entries.size(), MAX_ENTRIES);
        }
    }

    public ReferenceValues plus(Entry e) {
        List<Entry> all = new ArrayList<>(entries);
        all.add(e);
        return new ReferenceValues(all);
    }

    /** The entry that vouches for {@code value} as {@code claim} on {@code tee}, if any. */
    public Optional<Entry> find(String tee, String claim, Bytes value) {
        return entries.stream().filter(e -> e.tee().equals(tee) && e.claim().equals(claim) && e.value().equals(value)).findFirst();
    }

    public static ReferenceValues parse(byte[] json) {
        if (json.length > Policy.MAX_SIZE * 16L) {
            throw AttestationException.tooLarge("reference values", json.length, Policy.MAX_SIZE * 16L);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw AttestationException.invalid("reference values", "not JSON: " + e.getMessage().split("\n")[0]);
        }
        JsonNode list = root == null ? null : root.get("reference_values");
        if (list == null || !list.isArray()) {
            throw AttestationException.invalid("reference values", "must be {\"reference_values\": [...]}");
        }
        if (list.size() > MAX_ENTRIES) {
            throw AttestationException.tooLarge("reference values", list.size(), MAX_ENTRIES);
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            String where = "reference_values[" + i + "]";
            if (!n.isObject()) {
                throw AttestationException.invalid(where, "must be an object");
            }
            for (var it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw AttestationException.invalid(where, "unknown field '" + f + "' (known: " + FIELDS + ")");
                }
            }
            try {
                out.add(new Entry(text(n, "tee", where), text(n, "claim", where), Bytes.fromHex(where + ".value", text(n, "value", where)),
                        text(n, "added_by", where), Instant.parse(text(n, "added_at", where))));
            } catch (DateTimeParseException e) {
                throw AttestationException.invalid(where + ".added_at", "not an ISO-8601 instant such as 2026-11-01T10:00:00Z");
            }
        }
        return new ReferenceValues(out);
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw AttestationException.invalid(where + "." + field, "is required (text)");
        }
        return v.asText();
    }
}
