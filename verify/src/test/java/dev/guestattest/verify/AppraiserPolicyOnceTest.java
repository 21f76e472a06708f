// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Policy is judged once, by the appraiser: vendor verifiers only verify, a vendor verifier that
 * judges is refused, and no appraisal holds two verdicts for one check (issue 16's finding: the
 * go-sev-guest Milan report carried both "ok policy.debug" and "FAIL policy.debug").
 */
class AppraiserPolicyOnceTest {
    private static final Appraiser APPRAISER = Appraiser.discover();
    private static final Instant SNP_AT = Instant.parse("2025-01-01T00:00:00Z");

    private static Policy policy(String json) {
        return Policy.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Evidence goSevGuest() {
        String v = "amd-sev-snp/go-sev-guest/";
        return Evidence.of(Bytes.of(Vectors.read(v + "attestation.bin")), Map.of("certs", Bytes.of(Vectors.read(v + "vcek.der"))));
    }

    @Test
    void theMilanReportHasOneDebugVerdictAndItIsTheAppraisers() {
        Appraisal a = APPRAISER.appraise(goSevGuest(), AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"]}"), SNP_AT));
        assertThat(a.checks()).filteredOn(c -> c.name().equals(PolicyChecks.DEBUG)).singleElement()
                .satisfies(c -> assertThat(c.passed()).isFalse());
        assertThat(a.check(PolicyChecks.DEBUG).orElseThrow().passed()).isFalse();
        assertThat(a.checks()).extracting(Check::name).doesNotHaveDuplicates();
        assertThat(a.checks()).filteredOn(c -> c.name().startsWith(PolicyChecks.PREFIX)).extracting(Check::name)
                .containsExactly("policy.tee", "policy.debug", "policy.vmpl", "policy.reference_values");
    }

    @Test
    void snpRulesOfItsOwnAreNamedByTheAppraiserAndEachUnmetOneFails() {
        String v = "amd-sev-snp/virtee-sev/";
        byte[] report = HexFormat.of().parseHex(new String(Vectors.read(v + "report_milan.hex"), StandardCharsets.US_ASCII).replaceAll("\\s", ""));
        Evidence e = Evidence.of(Bytes.of(report), Map.of("certs", Bytes.of(Vectors.read(v + "vcek_milan.der"))));
        Appraisal a = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"], \"vmpl\": [1],"
                + " \"tee_rules\": {\"snp\": {\"allow_smt\": false, \"require_single_socket\": true,"
                + " \"minimum_tcb\": {\"boot_loader\": 3, \"snp\": 9, \"microcode\": 115}, \"minimum_firmware\": \"1.55\","
                + " \"host_data\": \"" + "11".repeat(32) + "\"}}}"), SNP_AT).withReportData(Bytes.zeros(64)));
        assertThat(a.failures()).extracting(Check::name).containsExactly("policy.report_data", "policy.vmpl", "policy.smt",
                "policy.single_socket", "policy.tcb", "policy.firmware", "policy.host_data", "policy.reference_values");
        assertThat(a.check("policy.vmpl").orElseThrow().detail()).isEqualTo("made at VMPL 0, not among the accepted [1]");
        assertThat(a.status()).isEqualTo(Tier.CONTRAINDICATED);
    }

    @Test
    void aPolicyRefusesRulesForATeeItDoesNotAcceptOrThatHasNone() {
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"tdx\"], \"tee_rules\": {\"snp\": {}}}"))
                .hasMessageContaining("names a TEE the policy does not accept");
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"tdx\"], \"tee_rules\": {\"tdx\": {}}}"))
                .hasMessageContaining("no TEE here has rules of its own");
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"snp\"], \"tee_rules\": {\"snp\": {\"alow_smt\": false}}}"))
                .hasMessageStartingWith("policy: line 1: field 'tee_rules.snp.alow_smt': is not a known field");
        // a TEE's own reader's findings carry the line too
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\ntee_rules:\n  snp:\n    minimum_tcb:\n      ucode: 200\n"))
                .hasMessageStartingWith("policy: line 6: field 'tee_rules.snp.minimum_tcb.ucode': is not an SNP TCB component");
    }

    @Test
    void theTdxStatusIsReportedByTheVerifierAndJudgedByThePolicy() {
        String d = "intel-tdx/dcap-qvl/";
        Evidence e = Evidence.of(Bytes.of(Vectors.read(d + "tdx_quote_v5_outdated.bin")), Map.of("collateral",
                Bytes.of(Vectors.read(d + "tdx_quote_v5_outdated_collateral.json"))));
        Instant at = Instant.parse("2026-03-01T00:00:00Z");
        Appraisal strict = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"tdx\"]}"), at));
        assertThat(strict.check("tcb.status").orElseThrow().passed()).as("not revoked: the verifier only reports it").isTrue();
        assertThat(strict.check(PolicyChecks.TCB_STATUS).orElseThrow().detail()).startsWith("TcbNotSupported is not among the accepted");
        Appraisal lenient = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"tdx\"],"
                + " \"accepted_tcb_status\": [\"UpToDate\", \"TcbNotSupported\"]}"), at));
        assertThat(lenient.check(PolicyChecks.TCB_STATUS).orElseThrow().passed()).isTrue();
    }

    /** The attack on the seam: a vendor verifier that passes its own policy check cannot vouch past the appraiser's. */
    @Test
    void aVendorVerifierThatJudgesPolicyIsRefused() {
        EvidenceVerifier judging = new EvidenceVerifier() {
            @Override
            public String format() {
                return "fake";
            }

            @Override
            public boolean recognizes(byte[] evidence) {
                return true;
            }

            @Override
            public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
                return new VendorVerification(new VerificationResult(List.of(Check.pass("policy.debug", "off, says the vendor"))),
                        Optional.of(new CommonClaims("fake", Optional.empty(), new java.util.TreeMap<>(), Optional.of(true), Bytes.EMPTY)),
                        Optional.empty(), Map.of());
            }
        };
        Appraiser appraiser = new Appraiser(List.of(judging));
        assertThatThrownBy(() -> appraiser.appraise(Evidence.of(Bytes.of(new byte[1]), Map.of()),
                AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"fake\"]}"), Instant.now())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("only the appraiser judges policy");
    }

    @Test
    void noAppraisalCanHoldTwoVerdictsForOneCheck() {
        List<Check> twice = List.of(Check.pass("policy.debug", "off"), Check.fail("policy.debug", "on"));
        assertThatThrownBy(() -> new Appraisal("snp", Tier.AFFIRMING, TrustVector.NO_CLAIMS, twice, Optional.empty(), Map.of(), "p", "00",
                Instant.now(), Optional.empty())).isInstanceOf(IllegalStateException.class).hasMessage("two verdicts for check policy.debug");
    }
}
