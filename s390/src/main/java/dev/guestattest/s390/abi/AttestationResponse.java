// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.verify.CommonClaims;
import java.nio.charset.StandardCharsets;

/** What a Secure Execution guest hands its verifier: the measurement, additional data, config UID and user data (the outblob). */
public record AttestationResponse(Bytes measurement, Bytes additionalData, Bytes configUid, Bytes userData) {
    public static final String FORMAT = "guestattest-s390-attestation/1";

    /**
     * The initial measurement is the image's SE header tag, which the measurement covers; SE has no
     * runtime registers or debug claim. Meaningful only once the measurement was checked against
     * that image.
     */
    public CommonClaims common(SecureExecutionMeasurement.ImageHeader image) {
        return new CommonClaims("s390", java.util.Optional.of(image.tag()), java.util.Collections.emptySortedMap(), java.util.Optional.empty(),
                userData);
    }

    public byte[] toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("format", FORMAT).put("measurement", measurement.hex()).put("additional_data", additionalData.hex())
                .put("config_uid", configUid.hex()).put("user_data", userData.hex());
        return n.toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    public static AttestationResponse fromJson(byte[] json) {
        JsonNode n = Json.tree("s390 response", json);
        if (!FORMAT.equals(n.path("format").asText())) {
            throw AttestationException.invalid("s390 response", "format must be " + FORMAT);
        }
        return new AttestationResponse(Bytes.fromHex("measurement", n.path("measurement").asText()), Bytes.fromHex("additional_data",
                n.path("additional_data").asText()), Bytes.fromHex("config_uid", n.path("config_uid").asText()).checkLength("config_uid", 16),
                Bytes.fromHex("user_data", n.path("user_data").asText()));
    }
}
