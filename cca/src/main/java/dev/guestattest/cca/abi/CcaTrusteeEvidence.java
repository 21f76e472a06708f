// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import java.util.Map;
import java.util.Optional;

/**
 * CCA evidence as guest-components sends it: {@code {"token": [the CCA attestation token's CBOR, as
 * numbers]}} (guest-components 8246e5e0 {@code attestation-agent/attester/src/cca/mod.rs}
 * {@code CcaEvidence}, a {@code Vec<u8>}). The CPAK, when the platform token needs one, is the
 * verifier's own configuration, never the guest's.
 */
public final class CcaTrusteeEvidence implements TrusteeEvidence {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String tee() {
        return "cca";
    }

    @Override
    public Evidence read(JsonNode primary) {
        SerdeJson.object(primary, FIELD);
        return new Evidence(Optional.of("cca"), SerdeJson.bytes(primary, FIELD, "token"), Map.of());
    }

    @Override
    public JsonNode write(Evidence e) {
        if (!e.aux().isEmpty()) {
            throw AttestationException.invalid("evidence aux parts " + e.aux().keySet(), "guest-components' CCA evidence carries the token alone");
        }
        return JSON.createObjectNode().set("token", SerdeJson.array(e.bytes()));
    }
}
