// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.ar4si.Tier;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A refusal by the resource policy names what was not met, rule by rule; what one rule allows is allowed whatever the others say. */
class ResourcePolicyTest {
    private static final ResourcePolicy POLICY = ResourcePolicy.parse(("rules:\n"
            + "  - {path: \"prod/*/*\", tees: [tdx]}\n"
            + "  - {path: \"prod/db/*\", status: warning, initial_measurement: [\"" + "aa".repeat(48) + "\"]}\n"
            + "  - {path: \"pods/*/*\", status: warning, claims: {\"/submods/cpu0/x\": \"yes\"}}\n").getBytes(StandardCharsets.UTF_8));

    private static ResourcePolicy.Result result(String tee, Tier status, String measurement, String claims) throws Exception {
        return new ResourcePolicy.Result(tee, status, Optional.of(Bytes.fromHex("m", measurement)),
                Optional.of(new ObjectMapper().readTree(claims)));
    }

    @Test
    void everyUnmetConditionOfEveryCoveringRuleIsNamed() throws Exception {
        ResourcePolicy.Result warningSnp = result("snp", Tier.WARNING, "bb".repeat(48), "{}");
        assertThat(POLICY.unmet("prod/db/pw", warningSnp)).extracting(ResourcePolicy.Unmet::check).containsExactly(
                "resource_policy.rules[0].tees", "resource_policy.rules[0].status", "resource_policy.rules[1].initial_measurement");
        assertThat(POLICY.unmet("prod/db/pw", warningSnp)).extracting(ResourcePolicy.Unmet::why).containsExactly(
                "rules[0] (prod/*/*): a snp result; the rule admits [tdx]",
                "rules[0] (prod/*/*): a warning result; the rule admits affirming at worst",
                "rules[1] (prod/db/*): workload " + "bb".repeat(48) + " is not one the rule lists");
        assertThat(POLICY.allows("prod/db/pw", warningSnp)).isFalse();
        // the second rule admits this workload's warning: allowed, nothing unmet, whatever the first rule says
        ResourcePolicy.Result known = result("snp", Tier.WARNING, "aa".repeat(48), "{}");
        assertThat(POLICY.unmet("prod/db/pw", known)).isEmpty();
        assertThat(POLICY.allows("prod/db/pw", known)).isTrue();
    }

    @Test
    void aPathNoRuleCoversAndAClaimNotHeldAreNamed() throws Exception {
        ResourcePolicy.Result r = result("tdx", Tier.AFFIRMING, "aa".repeat(48), "{\"submods\": {\"cpu0\": {\"x\": \"no\"}}}");
        assertThat(POLICY.unmet("other/a/b", r)).singleElement().satisfies(u -> {
            assertThat(u.check()).isEqualTo("resource_policy.path");
            assertThat(u.why()).isEqualTo("no rule covers other/a/b");
        });
        assertThat(POLICY.unmet("pods/a/b", r)).singleElement().satisfies(u -> {
            assertThat(u.check()).isEqualTo("resource_policy.rules[2].claims");
            assertThat(u.why()).contains("/submods/cpu0/x is 'no', the policy requires 'yes'");
        });
        assertThat(POLICY.unmet("prod/a/b", r)).isEmpty();
        assertThat(POLICY.unmet("prod/a/b", result("tdx", Tier.NONE, "aa".repeat(48), "{}"))).extracting(ResourcePolicy.Unmet::check)
                .containsExactly("resource_policy.rules[0].status");
    }
}
