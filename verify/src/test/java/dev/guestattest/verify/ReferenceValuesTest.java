// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reference values from a store, each with who added it and when, reported in the appraisal. */
class ReferenceValuesTest {
    static final Policy NO_VALUES = Policy.parse("{\"id\": \"p\", \"tees\": [\"tdx\"]}".getBytes(StandardCharsets.UTF_8));

    static ReferenceValues store(String json) {
        return ReferenceValues.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static String entry(String tee, String claim, String value) {
        return "{\"tee\": \"" + tee + "\", \"claim\": \"" + claim + "\", \"value\": \"" + value
                + "\", \"added_by\": \"release-pipeline\", \"added_at\": \"2026-11-01T10:00:00Z\"}";
    }

    static Appraisal appraise(ReferenceValues store) {
        return AppraiserTest.APPRAISER.appraise(AppraiserTest.tdx(), AppraisalContext.of(NO_VALUES, AppraiserTest.TDX_AT).withStore(store));
    }

    @Test
    void aStoredValueApprovesAndTheAppraisalSaysWhoVouchedForIt() {
        Appraisal a = appraise(store("{\"reference_values\": [" + entry("tdx", "initial_measurement", AppraiserTest.TDX_MRTD) + "]}"));
        assertThat(a.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(a.check("policy.initial_measurement").orElseThrow().detail())
                .isEqualTo("matches a reference value added by release-pipeline at 2026-11-01T10:00:00Z");
        assertThat(a.trustVector().executables()).isEqualTo(TrustVector.APPROVED_BOOT);
    }

    @Test
    void aValueForAnotherTeeOrClaimDoesNotCountAndStoredRegistersAreJudged() {
        assertThat(appraise(store("{\"reference_values\": [" + entry("snp", "initial_measurement", AppraiserTest.TDX_MRTD) + "]}")).status())
                .isEqualTo(Tier.WARNING);
        Appraisal regs = appraise(store("{\"reference_values\": [" + entry("tdx", "initial_measurement", AppraiserTest.TDX_MRTD) + ", "
                + entry("tdx", "runtime_registers.rtmr1", "11".repeat(48)) + "]}"));
        assertThat(regs.status()).isEqualTo(Tier.WARNING);
        assertThat(regs.failures()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("policy.runtime_registers.rtmr1"));
        ReferenceValues both = ReferenceValues.EMPTY.plus(new ReferenceValues.Entry("tdx", "initial_measurement",
                Bytes.fromHex("m", AppraiserTest.TDX_MRTD), "alice", Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(appraise(both).affirming()).isTrue();
    }

    @Test
    void aStoreFileWithAMistakeFailsAtLoadNamingTheEntryAndField() {
        assertThatThrownBy(() -> store("{\"reference_values\": [" + entry("tdx", "mrtd", "00") + "]}")).hasMessageContaining("'mrtd' is not");
        assertThatThrownBy(() -> store("{\"reference_values\": [{\"tee\": \"tdx\", \"claim\": \"initial_measurement\", \"value\": \"00\","
                + " \"added_at\": \"2026-11-01T10:00:00Z\"}]}")).hasMessageContaining("reference_values[0].added_by");
        assertThatThrownBy(() -> store("{\"reference_values\": [" + entry("tdx", "initial_measurement", "zz") + "]}"))
                .hasMessageContaining("reference_values[0].value");
        assertThatThrownBy(() -> store("{\"reference_values\": [" + entry("tdx", "initial_measurement", "00").replace("2026-11-01T10:00:00Z",
                "yesterday") + "]}")).hasMessageContaining("reference_values[0].added_at");
        assertThatThrownBy(() -> store("{\"reference_values\": [{\"tee\": \"tdx\", \"claim\": \"initial_measurement\", \"value\": \"00\","
                + " \"added_by\": \"a\", \"added_at\": \"2026-11-01T10:00:00Z\", \"adde_by\": \"b\"}]}"))
                .hasMessageContaining("unknown field 'adde_by'");
        assertThatThrownBy(() -> store("[]")).hasMessageContaining("{\"reference_values\": [...]}");
        assertThatThrownBy(() -> store("nope")).hasMessageContaining("not JSON");
    }
}
