// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trustee's {@code sample} TEE, for testing a client without a TEE: {@code {"svn": text, "report_data":
 * base64}}, which nothing signs (guest-components 8246e5e0 {@code attestation-agent/attester/src/sample};
 * trustee 78962cd4 {@code deps/verifier/src/sample/mod.rs}: the report data is the runtime-data digest
 * as it is). The broker takes it only when started with {@code --allow-sample}, and the appraisal
 * says in its checks that no hardware vouched for anything.
 */
final class SampleEvidence implements TrusteeEvidence {
    static final String TEE = "sample";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String tee() {
        return TEE;
    }

    @Override
    public Evidence read(JsonNode primary) {
        SerdeJson.object(primary, FIELD);
        SerdeJson.base64(primary, FIELD, "report_data");
        if (!SerdeJson.member(primary, FIELD, "svn").isTextual()) {
            throw AttestationException.invalid(FIELD + ".svn", "must be text");
        }
        return new Evidence(Optional.of(TEE), Bytes.of(primary.toString().getBytes(StandardCharsets.UTF_8)), Map.of());
    }

    @Override
    public JsonNode write(Evidence e) {
        return dev.guestattest.core.codec.Json.tree("sample evidence", e.bytes().toArray());
    }

    @Override
    public Bytes reportData(Bytes digest) {
        return digest;
    }

    /** What the sample evidence claims, unverified: it has no signature to check. */
    static VendorVerification verify(Evidence e) {
        JsonNode n = read(e);
        Bytes reportData = SerdeJson.base64(n, FIELD, "report_data");
        return new VendorVerification(new VerificationResult(List.of(Check.pass("sample.unsigned",
                "sample evidence: nothing signs it, nothing vouches for it (accepted because the broker runs with --allow-sample)"))),
                Optional.of(new CommonClaims(TEE, Optional.empty(), Collections.emptySortedMap(), Optional.of(false), reportData)),
                Optional.empty(), Map.of("svn", n.get("svn").asText()));
    }

    private static JsonNode read(Evidence e) {
        return dev.guestattest.core.codec.Json.tree("sample evidence", e.bytes().toArray());
    }
}
