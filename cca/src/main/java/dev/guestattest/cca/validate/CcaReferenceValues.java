// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Known-good CCA states, in veraison's reference-value JSON ({@code rv.json}: "platform" and "realm"
 * arrays, values in hex). A platform state is an implementation ID with its configuration and
 * software components; a realm state is a RIM with, where the provider states them, the
 * personalization value, the four REMs and the RAK hash algorithm. A field left out is not required.
 */
public record CcaReferenceValues(List<Platform> platforms, List<Realm> realms) {
    public static final int MAX_ENTRIES = 10_000;

    public CcaReferenceValues {
        platforms = List.copyOf(platforms);
        realms = List.copyOf(realms);
    }

    public record Platform(Bytes implementationId, Optional<Bytes> config, List<Component> components) {
        public Platform {
            components = List.copyOf(components);
        }
    }

    /** A software component; type and version are compared when stated. */
    public record Component(Optional<String> type, Bytes measurement, Optional<String> version, Bytes signerId) {
    }

    public record Realm(Bytes rim, Optional<Bytes> personalizationValue, List<Bytes> rems, Optional<String> rakHashAlgorithm) {
        public Realm {
            rems = List.copyOf(rems);
        }
    }

    public static CcaReferenceValues fromJson(byte[] json) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw AttestationException.invalid("CCA reference values", "not JSON");
        }
        if (n == null || !n.isObject()) {
            throw AttestationException.invalid("CCA reference values", "must be an object with \"platform\" and \"realm\" arrays");
        }
        List<Platform> platforms = new ArrayList<>();
        for (JsonNode p : array(n, "platform")) {
            List<Component> components = new ArrayList<>();
            for (JsonNode c : array(p, "sw-components")) {
                components.add(new Component(text(c, "component-type"), hex(c, "measurement-value").orElseThrow(() -> missing("measurement-value")),
                        text(c, "version"), hex(c, "signer-id").orElseThrow(() -> missing("signer-id"))));
            }
            platforms.add(new Platform(hex(p, "implementation-id").orElseThrow(() -> missing("implementation-id")),
                    hex(p, "platform-configuration"), components));
        }
        List<Realm> realms = new ArrayList<>();
        for (JsonNode r : array(n, "realm")) {
            List<Bytes> rems = new ArrayList<>();
            for (JsonNode x : array(r, "extensible-measurements")) {
                rems.add(Bytes.fromHex("CCA reference values: extensible-measurements", x.asText()));
            }
            if (!rems.isEmpty() && rems.size() != 4) {
                throw AttestationException.invalid("CCA reference values: extensible-measurements", rems.size() + " values; a realm has 4 REMs");
            }
            realms.add(new Realm(hex(r, "initial-measurement").orElseThrow(() -> missing("initial-measurement")),
                    hex(r, "personalization-value"), rems, text(r, "rak-hash-algorithm")));
        }
        return new CcaReferenceValues(platforms, realms);
    }

    private static List<JsonNode> array(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null) {
            return List.of();
        }
        if (!a.isArray()) {
            throw AttestationException.invalid("CCA reference values: " + field, "must be an array");
        }
        if (a.size() > MAX_ENTRIES) {
            throw AttestationException.tooLarge("CCA reference values: " + field, a.size(), MAX_ENTRIES);
        }
        List<JsonNode> out = new ArrayList<>();
        a.forEach(out::add);
        return out;
    }

    private static Optional<Bytes> hex(JsonNode n, String field) {
        return n.has(field) ? Optional.of(Bytes.fromHex("CCA reference values: " + field, n.get(field).asText())) : Optional.empty();
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.has(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
    }

    private static AttestationException missing(String field) {
        return AttestationException.invalid("CCA reference values: " + field, "is required");
    }
}
