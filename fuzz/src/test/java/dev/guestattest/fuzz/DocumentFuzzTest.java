// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.broker.policy.ResourcePolicy;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.nio.charset.StandardCharsets;

/** Documents from outside: appraisal and resource policies (JSON or YAML), reference values, and a guest's TEE key. */
class DocumentFuzzTest {
    @FuzzTest(maxDuration = Campaign.DURATION)
    void policies(byte[] data) {
        Untrusted.parse(() -> Policy.parse(data));
        Untrusted.parse(() -> ResourcePolicy.parse(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void referenceValues(byte[] data) {
        Untrusted.parse(() -> ReferenceValues.parse(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void teeKey(byte[] data) {
        Untrusted.parse(() -> TeeKey.parse(new String(data, StandardCharsets.UTF_8)));
    }
}
