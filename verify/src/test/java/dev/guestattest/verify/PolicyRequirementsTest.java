// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.MeasurementLog;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.freshness.Nonces;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YAML policies, minimum TCB, event-log requirements and nonce freshness, each accepting and rejecting. */
class PolicyRequirementsTest {
    static final Appraiser APPRAISER = Appraiser.discover();
    static final String TDX = "{\"id\": \"p\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\""
            + AppraiserTest.TDX_MRTD + "\"]}";

    @TempDir
    Path state;

    static Policy policy(String text) {
        return Policy.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void yamlPoliciesMeanTheSameAsJsonAndTyposNameTheirLine() {
        Policy yaml = policy("""
                # the web tier
                id: web
                tees: [tdx, snp]
                accepted_tcb_status: [UpToDate, SWHardeningNeeded]
                minimum_tcb:
                  snp: {snp: 8, microcode: 115}
                reference_values:
                  initial_measurement:
                    - "%s"
                  runtime_registers:
                    rtmr3: ["%s"]
                event_log:
                  events:
                    - {register: rtmr2, description: app.jar}
                freshness: {max_age_seconds: 300}
                """.formatted(AppraiserTest.TDX_MRTD, "00".repeat(48)));
        assertThat(yaml.id()).isEqualTo("web");
        assertThat(yaml.tees()).containsExactlyInAnyOrder("tdx", "snp");
        assertThat(yaml.minimumTcb()).isEqualTo(Map.of("snp", Map.of("snp", 8L, "microcode", 115L)));
        assertThat(yaml.initialMeasurements()).containsExactly(Bytes.fromHex("m", AppraiserTest.TDX_MRTD));
        assertThat(yaml.runtimeRegisters()).containsOnlyKeys("rtmr3");
        assertThat(yaml.eventLog().orElseThrow().required()).as("listing events requires the log").isTrue();
        assertThat(yaml.eventLog().orElseThrow().events()).hasToString("[rtmr2:'app.jar']");
        assertThat(yaml.freshness()).contains(Duration.ofMinutes(5));
        assertThat(APPRAISER.appraise(AppraiserTest.tdx(), AppraisalContext.of(policy("id: p\ntees: [tdx]\nreference_values:\n"
                + "  initial_measurement: [\"" + AppraiserTest.TDX_MRTD + "\"]\n"), AppraiserTest.TDX_AT)).status()).isEqualTo(Tier.AFFIRMING);

        assertThatThrownBy(() -> policy("id: p\ntees: [tdx]\nallow_debg: true\n")).hasMessageContaining("line 3")
                .hasMessageContaining("unknown field 'allow_debg'");
        assertThatThrownBy(() -> policy("id: p\ntees: [tdx]\nevent_log:\n  events:\n    - {register: rtmr2, digst: ab}\n"))
                .hasMessageContaining("line 5").hasMessageContaining("event_log.events[0].digst");
        assertThatThrownBy(() -> policy("id: p\ntees: [tdx]\nevent_log:\n  events:\n    - {register: rtmr2}\n"))
                .hasMessageContaining("policy: event_log.events[0]").hasMessageContaining("exactly one of digest or description");
        assertThatThrownBy(() -> policy("id: p\ntees: [tdx]\nminimum_tcb: {snp: {snp: 8}}\n")).hasMessageContaining("policy: minimum_tcb.snp")
                .hasMessageContaining("does not accept");
        assertThatThrownBy(() -> policy("id: p\ntees: [tdx]\nminimum_tcb: {tdx: {x: many}}\n")).hasMessageContaining("line 3")
                .hasMessageContaining("minimum_tcb");
        assertThatThrownBy(() -> policy("id: p\ntees: [tdx]\nfreshness: {max_age_seconds: 0}\n"))
                .hasMessageContaining("policy: freshness.max_age_seconds");
        assertThatThrownBy(() -> policy("id: p\nid: q\ntees: [tdx]\n")).hasMessageContaining("line 2").hasMessageContaining("id");
        assertThatThrownBy(() -> policy("id: 'p\n")).hasMessageContaining("line 1: not YAML");
    }

    @Test
    void aValueOfAnotherTypeIsRefusedNotCoerced() {
        // each would have loaded as something the author did not write: 22, true, 8 (a lower minimum), a list with a hole
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\nminimum_tcb:\n  snp: {snp: \"22\"}\n")).hasMessageStartingWith(
                "policy: line 4: field 'minimum_tcb.snp.snp': must be a whole number, not the text \"22\"");
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"tdx\"],\n \"allow_debug\": \"true\"}")).hasMessage(
                "policy: line 2: field 'allow_debug': must be true or false, not the text \"true\"");
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"tdx\"],\n \"allow_debug\": 1}")).hasMessageStartingWith(
                "policy: line 2: field 'allow_debug': ");
        assertThatThrownBy(() -> policy("id: p\ntees: [snp]\nminimum_tcb: {snp: {snp: 8.5}}\n")).hasMessageStartingWith(
                "policy: line 3: field 'minimum_tcb.snp.snp': must be a whole number, not the number 8.5");
        assertThatThrownBy(() -> policy("id: p\ntees: [tdx, null]\n")).hasMessage("policy: line 2: field 'tees[1]': must not be null");
        assertThat(policy("id: 7\ntees: [tdx]\n").id()).as("text may be written as a number").isEqualTo("7");
    }

    @Test
    void minimumTcbComparesEachComponent() {
        // the v4 vector's TEE_TCB_SVN is 06 01 03 00...
        Appraisal ok = AppraiserTest.appraiseTdx(TDX + ", \"minimum_tcb\": {\"tdx\": {\"tee_tcb_svn.0\": 6, \"tee_tcb_svn.2\": 3}}}");
        assertThat(ok.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(ok.check("policy.minimum_tcb.tee_tcb_svn.0")).map(Check::toString).contains("ok   policy.minimum_tcb.tee_tcb_svn.0: 6 >= 6");
        assertThat(ok.claims().orElseThrow().tcb()).containsEntry("tee_tcb_svn.1", 1L).hasSize(16);
        Appraisal old = AppraiserTest.appraiseTdx(TDX + ", \"minimum_tcb\": {\"tdx\": {\"tee_tcb_svn.0\": 7}}}");
        assertThat(old.status()).isEqualTo(Tier.WARNING);
        assertThat(old.trustVector().hardware()).isEqualTo(TrustVector.UNSAFE_HARDWARE);
        assertThat(AppraiserTest.failure(old)).isEqualTo("FAIL policy.minimum_tcb.tee_tcb_svn.0: 6 is below the minimum 7");
        Appraisal missing = AppraiserTest.appraiseTdx(TDX + ", \"minimum_tcb\": {\"tdx\": {\"microcode\": 1}}}");
        assertThat(missing.status()).as("a component that cannot be compared fails closed").isEqualTo(Tier.WARNING);
        assertThat(AppraiserTest.failure(missing)).startsWith("FAIL policy.minimum_tcb.microcode: the evidence has no such TCB component");
    }

    @Test
    void snpReportsItsTcbSignersAndChip() {
        String v = "amd-sev-snp/go-sev-guest/";
        Evidence e = Evidence.of(Bytes.of(Vectors.read(v + "attestation.bin")), Map.of("certs", Bytes.of(Vectors.read(v + "vcek.der"))));
        Appraisal a = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"], \"allow_debug\": true,"
                + " \"minimum_tcb\": {\"snp\": {\"snp\": 99}}}"), Instant.parse("2025-01-01T00:00:00Z")));
        var claims = a.claims().orElseThrow();
        assertThat(claims.tcb()).containsOnlyKeys("boot_loader", "fmc", "microcode", "snp", "tee");
        assertThat(claims.signers()).containsOnlyKeys("author_key", "id_key");
        assertThat(claims.platformId()).hasValueSatisfying(id -> assertThat(id.length()).isEqualTo(64));
        assertThat(AppraiserTest.failure(a)).startsWith("FAIL policy.minimum_tcb.snp: " + claims.tcb().get("snp") + " is below the minimum 99");
        assertThat(claims.toMap()).containsKeys("tcb", "signers", "platform_id");
    }

    /** CoVE evidence whose rmr1 was extended through GuestAttest's event log. */
    private record Logged(EmulatedTsm tsm, Bytes evidence, Path log) {
    }

    private Logged coveWithLog(Path state, String... descriptions) throws Exception {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        Path log = state.resolve("rmr1.cel");
        MeasurementLog ml = new MeasurementLog(log, tsm, Event.IndexKind.CC_MR);
        for (String d : descriptions) {
            ml.extend("rmr1", 2, d, Bytes.of(d.getBytes(StandardCharsets.UTF_8)));
        }
        byte[] challenge = new byte[64];
        try (ProviderSession s = ProviderSession.open(Optional.of(EmulatedTsm.NAME), ctx)) {
            return new Logged(tsm, s.report(ReportRequest.of(challenge)).outblob(), log);
        }
    }

    private Appraisal appraiseCove(Logged l, Map<String, Bytes> aux, String eventLog) {
        String initial = l.tsm().read("initial").hex();
        Policy p = policy("{\"id\": \"c\", \"tees\": [\"cove\"], \"allow_debug\": true, \"reference_values\": {\"initial_measurement\": [\""
                + initial + "\"]}, \"event_log\": " + eventLog + "}");
        return APPRAISER.appraise(Evidence.of(l.evidence(), aux), AppraisalContext.of(p, Instant.now()).withRoots(List.of(l.tsm().rootCertificate())));
    }

    @Test
    void theEventLogMustReplayAndHoldTheRequiredEvents() throws Exception {
        Logged l = coveWithLog(state.resolve("a"), "kernel", "app.jar");
        Map<String, Bytes> aux = Map.of("eventlog", Bytes.of(Files.readAllBytes(l.log())));
        Appraisal ok = appraiseCove(l, aux, "{\"events\": [{\"register\": \"rmr1\", \"description\": \"app.jar\"}]}");
        assertThat(ok.failures()).isEmpty();
        assertThat(ok.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(ok.check("policy.event_log")).map(Check::toString).contains("ok   policy.event_log: replays to [rmr1]");

        Appraisal absent = appraiseCove(l, aux, "{\"events\": [{\"register\": \"rmr1\", \"description\": \"rootkit\"}]}");
        assertThat(absent.status()).isEqualTo(Tier.WARNING);
        assertThat(absent.trustVector().executables()).isEqualTo(TrustVector.UNRECOGNIZED_EXECUTABLES);
        assertThat(AppraiserTest.failure(absent)).isEqualTo(
                "FAIL policy.event_log.events: rmr1:'rootkit' is not among the events that took effect in a quoted register");
        Appraisal wrongRegister = appraiseCove(l, aux, "{\"events\": [{\"register\": \"rmr2\", \"description\": \"app.jar\"}]}");
        assertThat(wrongRegister.affirming()).isFalse();

        Appraisal noLog = appraiseCove(l, Map.of(), "{\"required\": true}");
        assertThat(AppraiserTest.failure(noLog)).startsWith("FAIL policy.event_log: the policy requires an event log");
        assertThat(appraiseCove(l, Map.of(), "{\"required\": false}").affirming()).as("an optional log may be absent").isTrue();

        // a log that claims one event more than the register saw: read as an extend that never happened, so it does not count
        Logged other = coveWithLog(state.resolve("b"), "kernel");
        Map<String, Bytes> longer = Map.of("eventlog", Bytes.of(Files.readAllBytes(l.log())));
        Appraisal claimed = appraiseCove(other, longer, "{\"events\": [{\"register\": \"rmr1\", \"description\": \"app.jar\"}]}");
        assertThat(claimed.failures()).extracting(Check::toString).containsExactly(
                "FAIL policy.event_log.events: rmr1:'app.jar' is not among the events that took effect in a quoted register");
        // a log that does not account for the register at all: nothing in it counts
        Map<String, Bytes> shorter = Map.of("eventlog", Bytes.of(Files.readAllBytes(other.log())));
        Appraisal lie = appraiseCove(l, shorter, "{\"events\": [{\"register\": \"rmr1\", \"description\": \"kernel\"}]}");
        assertThat(lie.failures()).extracting(Check::toString).containsExactly(
                "FAIL policy.event_log: the log's events for rmr1 (1) do not replay to its value",
                "FAIL policy.event_log.events: rmr1:'kernel' is not among the events that took effect in a quoted register");
        assertThat(lie.affirming()).isFalse();

        Appraisal garbage = appraiseCove(l, Map.of("eventlog", Bytes.of(new byte[] {1, 2, 3})), "{\"required\": true}");
        assertThat(AppraiserTest.failure(garbage)).startsWith("FAIL policy.event_log: unreadable");

        // by digest: the register's SHA-384 of the event's content TLV
        var events = dev.guestattest.core.eventlog.CelTlv.parse(Files.readAllBytes(l.log()));
        String digest = events.get(1).digests().get(0).value().hex();
        assertThat(appraiseCove(l, aux, "{\"events\": [{\"register\": \"rmr1\", \"digest\": \"" + digest + "\"}]}").affirming()).isTrue();
    }

    @Test
    void noncesAreSingleUseAndWithinThePolicysWindow() {
        Instant t0 = Instant.parse("2025-07-01T00:00:00Z");
        NoncesTest.Moving clock = new NoncesTest.Moving();
        clock.now = t0;
        Nonces nonces = new Nonces(Duration.ofHours(1), 100, new SecureRandom(), clock);
        Policy fresh = policy(TDX + ", \"freshness\": {\"max_age_seconds\": 60}}");
        Bytes nonce = nonces.issue();
        clock.now = t0.plusSeconds(30);
        AppraisalContext ctx = AppraisalContext.of(fresh, clock.now).withNonce(nonces, nonce);
        Appraisal first = APPRAISER.appraise(AppraiserTest.tdx(), ctx);
        assertThat(first.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(first.check("policy.freshness")).map(Check::toString).contains("ok   policy.freshness: the nonce is 30 s old");
        Appraisal replay = APPRAISER.appraise(AppraiserTest.tdx(), ctx);
        assertThat(replay.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(replay.trustVector().instanceIdentity()).isEqualTo(TrustVector.UNTRUSTWORTHY_INSTANCE);
        assertThat(AppraiserTest.failure(replay)).isEqualTo("FAIL policy.nonce: was not issued here, has expired, or was already used");
        // still within the registry's hour, but older than the policy's minute
        Bytes late = nonces.issue();
        clock.now = clock.now.plusSeconds(61);
        Appraisal stale = APPRAISER.appraise(AppraiserTest.tdx(), AppraisalContext.of(fresh, clock.now).withNonce(nonces, late));
        assertThat(stale.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(AppraiserTest.failure(stale)).isEqualTo("FAIL policy.freshness: the nonce is 61 s old, over the policy's 60 s");
        // past the registry's lifetime the nonce is gone whatever the policy says
        Bytes expired = nonces.issue();
        clock.now = clock.now.plus(Duration.ofHours(2));
        assertThat(APPRAISER.appraise(AppraiserTest.tdx(), AppraisalContext.of(policy(TDX + "}"), clock.now).withNonce(nonces, expired))
                .failures()).extracting(Check::name).contains("policy.nonce");
        // a policy asking for freshness fails an appraisal given no nonce
        Appraisal none = APPRAISER.appraise(AppraiserTest.tdx(), AppraisalContext.of(fresh, AppraiserTest.TDX_AT));
        assertThat(AppraiserTest.failure(none)).startsWith("FAIL policy.freshness: the policy requires a nonce");
        assertThat(none.affirming()).isFalse();
    }
}
