// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * TDX evidence as guest-components sends it: {@code {"cc_eventlog": base64 | null, "quote": base64}}
 * (guest-components 8246e5e0 {@code attestation-agent/attester/src/tdx/mod.rs} {@code TdxEvidence};
 * trustee 78962cd4 {@code deps/verifier/src/tdx/mod.rs} reads the same struct). The event log is the
 * CCEL, with the attestation agent's AAEL events appended in TCG2 form; here it is the
 * {@code eventlog.ccel} part. Collateral is never sent: the verifier fetches it.
 */
public final class TdxTrusteeEvidence implements TrusteeEvidence {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String EVENT_LOG = "eventlog.ccel";

    @Override
    public String tee() {
        return "tdx";
    }

    @Override
    public Evidence read(JsonNode primary) {
        SerdeJson.object(primary, FIELD);
        Map<String, Bytes> aux = new HashMap<>();
        SerdeJson.optionalBase64(primary, FIELD, "cc_eventlog").ifPresent(log -> aux.put(EVENT_LOG, log));
        return new Evidence(Optional.of("tdx"), SerdeJson.base64(primary, FIELD, "quote"), aux);
    }

    @Override
    public JsonNode write(Evidence e) {
        for (String part : e.aux().keySet()) {
            if (!part.equals(EVENT_LOG)) {
                throw AttestationException.invalid("evidence aux part " + part, "guest-components' TDX evidence has no place for it"
                        + " (only the quote and " + EVENT_LOG + "); a Trustee fetches collateral itself");
            }
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("cc_eventlog", e.aux(EVENT_LOG).map(SerdeJson::base64).orElse(null));
        n.put("quote", SerdeJson.base64(e.bytes()));
        return n;
    }
}
