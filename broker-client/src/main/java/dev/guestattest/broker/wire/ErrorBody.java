// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A refusal's body, {@code {"type", "detail"}} (RFC 9457's two members): a URI naming the kind, and why in words. */
public record ErrorBody(String type, String detail) {
    public static ErrorBody fromJson(JsonNode n) {
        return new ErrorBody(n.path("type").asText(""), n.path("detail").asText(""));
    }

    public ObjectNode toJson() {
        return Wire.object().put("type", type).put("detail", detail);
    }
}
