// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.conformance.GuestComponentsGuest;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.snp.abi.SnpTrusteeEvidence;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** guest-components' attesters (guest-components 8246e5e0 attestation-agent/attester/src/*) on a fixture's emulators. */
final class GuestComponentsAttesters {
    private GuestComponentsAttesters() {
    }

    /** The guest-components attester of {@code tee}, on this fixture's emulators: digest in, its primary_evidence JSON out. */
    static Function<byte[], JsonNode> on(BrokerFixture f, String tee) {
        return digest -> {
            try (ProviderSession s = ProviderSession.open(Optional.of(tee + "/emulated"), f.ctx)) {
                Report r = s.report(ReportRequest.of(GuestComponentsGuest.padded(digest)));
                ObjectNode n = GuestComponentsGuest.JSON.createObjectNode();
                switch (tee) {
                    // attester/src/tdx/mod.rs TdxEvidence
                    case "tdx" -> n.putNull("cc_eventlog").put("quote", GuestComponentsGuest.b64(r.outblob().toArray()));
                    // attester/src/cca/mod.rs CcaEvidence: token as Vec<u8>
                    case "cca" -> {
                        ArrayNode token = n.putArray("token");
                        for (byte b : r.outblob().toArray()) {
                            token.add(b & 0xff);
                        }
                    }
                    // attester/src/snp/mod.rs SnpEvidence: the sev crate's serde form (SnpTrusteeEvidenceTest holds it to a real guest's bytes)
                    case "snp" -> {
                        return new SnpTrusteeEvidence().write(new Evidence(Optional.of("snp"), r.outblob(), Map.of("certs", r.auxblob())));
                    }
                    default -> throw new AssertionError(tee);
                }
                return n;
            }
        };
    }
}
