// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** RCAR's answer to attest, {@code {"token"}}: the attestation token (an EAR JWT). A missing token reads as empty. */
public record TokenResponse(String token) {
    public static TokenResponse fromJson(JsonNode n) {
        return new TokenResponse(n.path("token").asText(""));
    }

    public ObjectNode toJson() {
        return Wire.object().put("token", token);
    }
}
