// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RCAR's {@code additional_evidence}: JSON text mapping device TEEs to their evidence (guest-components
 * 8246e5e0 {@code kbs_protocol/src/evidence_provider/native.rs}; an NVIDIA GPU's, say), or {@code ""}.
 * Its text is bound into the report data with the rest of the runtime data; this broker has no
 * verifier for any device, so evidence naming one is refused by name rather than passed over: a
 * token must not suggest that a device was appraised when it was not.
 */
final class AdditionalEvidence {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdditionalEvidence() {
    }

    static void refuseUnverifiable(String text) {
        if (text.isEmpty()) {
            return;
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw new BrokerException(Refusal.BAD_REQUEST, "tee-evidence.additional_evidence is not JSON text");
        }
        if (n == null || !n.isObject()) {
            throw new BrokerException(Refusal.BAD_REQUEST, "tee-evidence.additional_evidence must be a JSON object of device evidence, or empty");
        }
        if (n.isEmpty()) {
            return;
        }
        List<String> devices = new ArrayList<>();
        n.fieldNames().forEachRemaining(devices::add);
        throw new BrokerException(Refusal.ATTESTATION_FAILED, "tee-evidence.additional_evidence carries evidence of " + devices
                + ", and this broker has no verifier for device evidence; attest without it (no device TEE) or use a verifier that appraises it");
    }
}
