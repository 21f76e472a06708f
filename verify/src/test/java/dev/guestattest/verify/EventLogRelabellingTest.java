// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.CelTlv;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.EventDescription;
import dev.guestattest.core.eventlog.MeasurementLog;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on event-log requirements, on an emulated TD whose RTMR2 the guest extended: the log is
 * unsigned, so an event's description counts only when its digest is recomputed from its content.
 */
class EventLogRelabellingTest {
    private static final byte[] JAR = "PK\3\4 the application".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MALWARE = "MZ the attacker's binary".getBytes(StandardCharsets.US_ASCII);
    private static final String APP_JAR = "{\"register\": \"rtmr2\", \"description\": \"app.jar\"}";

    @TempDir
    Path state;

    /** An emulated TD, its quote after the extends, the log, and what verifies it. */
    private record Td(Bytes quote, Map<String, Bytes> aux, String mrtd, X509Certificate root) {
        Appraisal appraise(String events, Bytes log, String logPart) {
            Policy p = Policy.parse(("{\"id\": \"p\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + mrtd + "\"]},"
                    + " \"event_log\": {\"events\": [" + events + "]}}").getBytes(StandardCharsets.UTF_8));
            Map<String, Bytes> all = new HashMap<>(aux);
            all.put(logPart, log);
            return Appraiser.discover().appraise(Evidence.of(quote, all), AppraisalContext.of(p, Instant.now()).withRoots(List.of(root)));
        }
    }

    /** Runs {@code extend} on a fresh TD's registers, then quotes. */
    private Td td(String name, java.util.function.Consumer<MeasurementRegisters> extend) {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state.resolve(name));
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            extend.accept(tdx.measurementRegisters().orElseThrow());
            Bytes collateral = Bytes.of(EmulatedCollateral.issue(tdx.platform(), ctx.clock().instant(), Duration.ofDays(1), false, ctx.random())
                    .toDcapQvlJson());
            try (ProviderSession s = ProviderSession.open(Optional.of(TdxEmulatedProvider.NAME), ctx)) {
                Bytes quote = s.report(ReportRequest.of(new byte[64])).outblob();
                Td probe = new Td(quote, Map.of("collateral", collateral), "00", tdx.platform().rootCertificate());
                Policy any = Policy.parse("{\"id\": \"probe\", \"tees\": [\"tdx\"]}".getBytes(StandardCharsets.UTF_8));
                Appraisal a = Appraiser.discover().appraise(Evidence.of(quote, probe.aux()), AppraisalContext.of(any, Instant.now())
                        .withRoots(List.of(probe.root())));
                return new Td(quote, probe.aux(), a.claims().orElseThrow(() -> new AssertionError(a.failures())).initialMeasurement()
                        .orElseThrow().hex(), probe.root());
            }
        }
    }

    private Bytes logOf(String name) throws Exception {
        return Bytes.of(Files.readAllBytes(state.resolve(name + ".cel")));
    }

    @Test
    void anEventThatMeasuredMalwareRelabelledAppJarDoesNotMeetTheRequirement() throws Exception {
        Td honest = td("honest", r -> new MeasurementLog(state.resolve("honest.cel"), r, Event.IndexKind.CC_MR).extend("rtmr2", 3, "app.jar",
                Bytes.of(JAR)));
        Appraisal ok = honest.appraise(APP_JAR, logOf("honest"), "eventlog");
        assertThat(ok.failures()).isEmpty();
        assertThat(ok.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(ok.check("policy.event_log.events")).map(Check::toString).contains("ok   policy.event_log.events: rtmr2:'app.jar' took effect");

        // the guest measured malware.bin into RTMR2; its log then calls that event app.jar, digest untouched, so replay still holds
        Td attacked = td("attacked", r -> new MeasurementLog(state.resolve("attacked.cel"), r, Event.IndexKind.CC_MR).extend("rtmr2", 3,
                "malware.bin", Bytes.of(MALWARE)));
        Event measured = CelTlv.parse(logOf("attacked").toArray()).get(0);
        Event renamed = new Event(measured.recnum(), measured.indexKind(), measured.index(), measured.type(), measured.digests(),
                MeasurementLog.content("app.jar", Bytes.of(MALWARE)));
        Appraisal relabelled = attacked.appraise(APP_JAR, Bytes.of(CelTlv.encode(renamed)), "eventlog");
        assertThat(relabelled.affirming()).isFalse();
        assertThat(relabelled.trustVector().executables()).isEqualTo(TrustVector.UNRECOGNIZED_EXECUTABLES);
        assertThat(relabelled.check("policy.event_log")).map(Check::toString).contains("ok   policy.event_log: replays to [rtmr2]");
        assertThat(relabelled.failures()).extracting(Check::toString).containsExactly("FAIL policy.event_log.events: rtmr2:'app.jar' is not"
                + " among the events that took effect in a quoted register (event 0 is labelled 'app.jar', but its digest is not the hash"
                + " of its content: relabelled, or measured elsewhere)");
        // the same in CEL-JSON
        assertThat(attacked.appraise(APP_JAR, Bytes.of(dev.guestattest.core.eventlog.CelJson.write(List.of(renamed))
                .getBytes(StandardCharsets.UTF_8)), "eventlog.cel-json").affirming()).isFalse();
        // what the register really saw is still named by what really happened
        assertThat(attacked.appraise("{\"register\": \"rtmr2\", \"description\": \"malware.bin\"}", logOf("attacked"), "eventlog").affirming())
                .isTrue();
    }

    @Test
    void aDigestMeasuredElsewhereMeetsOnlyARequirementByDigest() throws Exception {
        Bytes digest = Bytes.of(HashAlgorithm.SHA384.hash(JAR));
        Td td = td("elsewhere", r -> new MeasurementLog(state.resolve("elsewhere.cel"), r, Event.IndexKind.CC_MR).extendDigest("rtmr2", 3,
                "app.jar", digest));
        assertThat(td.appraise(APP_JAR, logOf("elsewhere"), "eventlog").failures()).extracting(Check::toString).containsExactly(
                "FAIL policy.event_log.events: rtmr2:'app.jar' is not among the events that took effect in a quoted register (event 0 is"
                        + " labelled 'app.jar', but its digest is not the hash of its content: relabelled, or measured elsewhere)");
        assertThat(td.appraise("{\"register\": \"rtmr2\", \"digest\": \"" + digest.hex() + "\"}", logOf("elsewhere"), "eventlog").affirming())
                .isTrue();
    }

    @Test
    void aRequiredDigestCountsOnlyInTheBankTheRegisterWasReplayedIn() throws Exception {
        // RTMR2 saw malware (SHA-384); the event also lists a SHA-1 "digest" of the jar, which no register ever saw
        Bytes malware = Bytes.of(HashAlgorithm.SHA384.hash(MALWARE));
        Td td = td("banks", r -> r.extend("rtmr2", malware));
        Bytes jarSha1 = Bytes.of(HashAlgorithm.SHA1.hash(JAR));
        Event e = new Event(0, Event.IndexKind.CC_MR, 3, CelTlv.CONTENT_GUEST_ATTEST, List.of(new Event.Digest(HashAlgorithm.SHA384, malware),
                new Event.Digest(HashAlgorithm.SHA1, jarSha1)), MeasurementLog.content("app.jar", Bytes.EMPTY));
        Appraisal a = td.appraise("{\"register\": \"rtmr2\", \"digest\": \"" + jarSha1.hex() + "\"}", Bytes.of(CelTlv.encode(e)), "eventlog");
        assertThat(a.check("policy.event_log")).map(Check::passed).contains(true);
        assertThat(a.affirming()).isFalse();
        assertThat(a.failures()).extracting(Check::name).containsExactly("policy.event_log.events");
    }

    @Test
    void inACcelOnlyAnActionStringWhoseDigestIsItsHashIsADescription() throws Exception {
        byte[] action = "app.jar".getBytes(StandardCharsets.US_ASCII);
        Bytes ofAction = Bytes.of(HashAlgorithm.SHA384.hash(action));
        Bytes ofMalware = Bytes.of(HashAlgorithm.SHA384.hash(MALWARE));
        // firmware-style log: an EV_EFI_ACTION that recomputes, and an EV_IPL whose text says app.jar over a hash of something else
        Td td = td("ccel", r -> {
            r.extend("rtmr2", ofAction);
            r.extend("rtmr2", ofMalware);
        });
        Bytes ccel = ccel(new Object[] {EventDescription.EV_EFI_ACTION, ofAction, action}, new Object[] {0xdL, ofMalware, action});
        assertThat(td.appraise(APP_JAR, ccel, "eventlog.ccel").failures()).isEmpty();
        Bytes iplOnly = ccel(new Object[] {0xdL, ofAction, "kernel".getBytes(StandardCharsets.US_ASCII)}, new Object[] {0xdL, ofMalware, action});
        Appraisal ipl = td.appraise(APP_JAR, iplOnly, "eventlog.ccel");
        assertThat(ipl.check("policy.event_log")).map(Check::passed).contains(true);
        assertThat(ipl.affirming()).as("EV_IPL's text describes, its digest is of something else").isFalse();
        // an action string relabelled over the malware's digest
        Bytes relabelled = ccel(new Object[] {EventDescription.EV_EFI_ACTION, ofAction, "kernel".getBytes(StandardCharsets.US_ASCII)},
                new Object[] {EventDescription.EV_EFI_ACTION, ofMalware, action});
        assertThat(td.appraise(APP_JAR, relabelled, "eventlog.ccel").affirming()).isFalse();
    }

    /** A SHA-384 crypto-agile log of {type, digest, data} events on CC MR index 3 (RTMR2), as TDVF writes the CCEL. */
    private static Bytes ccel(Object[]... events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] spec = le(33).put("Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII)).putInt(0).put((byte) 0).put((byte) 2).put((byte) 0)
                .put((byte) 2).putInt(1).putShort((short) 0x000c).putShort((short) 48).put((byte) 0).array();
        out.writeBytes(le(32).putInt(1).putInt(3).put(new byte[20]).putInt(spec.length).array());
        out.writeBytes(spec);
        for (Object[] e : events) {
            byte[] data = (byte[]) e[2];
            out.writeBytes(le(14).putInt(3).putInt((int) (long) (Long) e[0]).putInt(1).putShort((short) 0x000c).array());
            out.writeBytes(((Bytes) e[1]).toArray());
            out.writeBytes(le(4).putInt(data.length).array());
            out.writeBytes(data);
        }
        return Bytes.of(out.toByteArray());
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
