// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VMPL a report was made at is a common claim the policy judges: by default only VMPL 0's reports are affirmed. */
class SnpVmplAppraisalTest {
    @TempDir
    static Path state; // one emulated chip for the class (RSA-4096 keys)
    private static ProviderContext ctx;
    private static AppraisalContext base;
    private static String measurement;

    @BeforeAll
    static void chip() {
        ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(ctx).chip();
        base = AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"]}"), Instant.now())
                .withRoots(List.of(chip.arkCertificate(), chip.askCertificate(), chip.asvkCertificate()));
        measurement = Appraiser.discover().appraise(report(0), base).claims().orElseThrow().initialMeasurement().orElseThrow().hex();
    }

    private static Policy policy(String json) {
        return Policy.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Evidence report(int vmpl) {
        try (ProviderSession s = ProviderSession.open(Optional.of("snp/emulated"), ctx)) {
            Report r = s.report(ReportRequest.builder().inblob(new byte[64]).privlevel(vmpl).build());
            return Evidence.of(r.outblob(), Map.of("certs", r.auxblob()));
        }
    }

    private static Appraisal appraise(Evidence e, String extra) {
        Policy p = policy("{\"id\": \"p\", \"tees\": [\"snp\"], \"reference_values\": {\"initial_measurement\": [\"" + measurement + "\"]}"
                + extra + "}");
        return Appraiser.discover().appraise(e, new AppraisalContext(p, base.expectedReportData(), base.at(), base.roots(), base.store(),
                base.challenge(), base.initData()));
    }

    @Test
    void aReportMadeAtVmpl3IsNotAffirmedUnlessThePolicyAcceptsVmpl3() {
        Evidence vmpl3 = report(3);
        Appraisal byDefault = appraise(vmpl3, "");
        assertThat(byDefault.claims().orElseThrow().vmpl()).contains(3);
        assertThat(byDefault.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(byDefault.trustVector().configuration()).isEqualTo(TrustVector.UNSUPPORTABLE_CONFIG);
        assertThat(byDefault.failures()).extracting(Check::toString).containsExactly("FAIL policy.vmpl: made at VMPL 3, not among the accepted [0]");
        assertThat(appraise(vmpl3, ", \"vmpl\": [0, 1]").affirming()).isFalse();

        Appraisal accepted = appraise(vmpl3, ", \"vmpl\": [0, 3]");
        assertThat(accepted.failures()).isEmpty();
        assertThat(accepted.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(accepted.check("policy.vmpl")).map(Check::toString).contains("ok   policy.vmpl: made at VMPL 3");
        Appraisal vmpl0 = appraise(report(0), "");
        assertThat(vmpl0.status()).as("the default accepts VMPL 0").isEqualTo(Tier.AFFIRMING);
        assertThat(vmpl0.claims().orElseThrow().toMap()).containsEntry("vmpl", 0);
    }

    @Test
    void teesWithoutPrivilegeLevelsAreNotJudgedOnThem() {
        Appraisal tdx = AppraiserTest.appraiseTdx("{\"id\": \"p\", \"tees\": [\"tdx\"], \"vmpl\": [2], \"reference_values\":"
                + " {\"initial_measurement\": [\"" + AppraiserTest.TDX_MRTD + "\"]}}");
        assertThat(tdx.claims().orElseThrow().vmpl()).isEmpty();
        assertThat(tdx.check("policy.vmpl")).isEmpty();
        assertThat(tdx.status()).isEqualTo(Tier.AFFIRMING);
    }

    @Test
    void aVmplListOutside0To3OrEmptyOrOfAnotherTypeIsRefusedAtLoadWithItsLine() {
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\nvmpl: [0, 4]\n")).hasMessage("policy: line 3: field 'vmpl[1]': 4 is outside 0..3");
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\nvmpl: []\n")).hasMessageStartingWith("policy: line 3: field 'vmpl': lists no level");
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\nvmpl: 0\n")).hasMessageStartingWith("policy: line 3: field 'vmpl': ");
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\nvmpl: [\"0\"]\n")).hasMessageStartingWith("policy: line 3: field 'vmpl[0]': ");
        assertThat(policy("id: p\ntees: [snp]\n").vmpls()).containsExactly(0);
    }
}
