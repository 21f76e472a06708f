// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Bytes of any shape through the whole appraiser, as `appraise` and the broker's /appraise take them: format detection included. */
class AppraisalFuzzTest {
    private static final Appraiser APPRAISER = Appraiser.discover();
    private static final Policy ANY_TEE = Policy.parse(
            "{\"id\": \"fuzz\", \"tees\": [\"tdx\", \"snp\", \"cca\", \"cove\", \"s390\", \"tpm\"]}".getBytes(StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = Campaign.DURATION)
    void appraise(byte[] data) {
        APPRAISER.appraise(Evidence.of(Bytes.of(data), Map.of()), AppraisalContext.of(ANY_TEE, Untrusted.AT));
    }
}
