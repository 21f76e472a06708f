// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A refusal's body, {@code {"type", "detail"}} (RFC 9457's two members, Trustee's error shape): a URI
 * naming the kind, and why in words; with {@code "checks"}, the names of the checks that failed
 * (the appraisal's, or the resource rule's), for a caller that acts on them. The detail names them
 * too, for clients such as Trustee's kbs-client that read the detail alone. {@code checks} is
 * written only when there are some, so other refusals look as they always have.
 */
public record ErrorBody(String type, String detail, List<String> checks) {
    public ErrorBody {
        checks = List.copyOf(checks);
    }

    public ErrorBody(String type, String detail) {
        this(type, detail, List.of());
    }

    public static ErrorBody fromJson(JsonNode n) {
        List<String> checks = new ArrayList<>();
        n.path("checks").forEach(c -> {
            if (c.isTextual()) {
                checks.add(c.asText());
            }
        });
        return new ErrorBody(n.path("type").asText(""), n.path("detail").asText(""), checks);
    }

    /** The refusal in an answer's body, when the body is one (a proxy's or another server's page is not). */
    public static Optional<ErrorBody> parse(byte[] body) {
        try {
            JsonNode n = Wire.JSON.readTree(body);
            return n != null && n.isObject() ? Optional.of(fromJson(n)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = Wire.object().put("type", type).put("detail", detail);
        if (!checks.isEmpty()) {
            checks.forEach(n.putArray("checks")::add);
        }
        return n;
    }
}
