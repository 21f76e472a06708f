// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * RCAR's auth request, {@code {"version", "tee", "extra-params"}}: it opens a session. A missing
 * version or tee reads as empty text (the broker then refuses the tee by name). Extra params are
 * read leniently, as the broker always has: guests send {@code {}}, some an empty string, and the
 * broker uses none of them.
 */
public record Request(String version, String tee, Map<String, String> extraParams) {
    public Request {
        extraParams = Map.copyOf(extraParams);
    }

    /** What a guest of this protocol version sends for {@code tee}. */
    public static Request of(String tee) {
        return new Request(Protocol.VERSION, tee, Map.of());
    }

    public static Request fromJson(JsonNode n) {
        return new Request(n.path("version").asText(""), n.path("tee").asText(""), Wire.texts(n.path("extra-params")));
    }

    public ObjectNode toJson() {
        ObjectNode n = Wire.object().put("version", version).put("tee", tee);
        n.set("extra-params", Wire.texts(extraParams));
        return n;
    }
}
