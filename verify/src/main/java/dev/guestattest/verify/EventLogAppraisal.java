// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.CelJson;
import dev.guestattest.core.eventlog.CelTlv;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.EventDescription;
import dev.guestattest.core.eventlog.Replay;
import dev.guestattest.core.eventlog.Tcg2Log;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.verify.policy.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy's event-log requirements: the log (an auxiliary part of the evidence) must replay to
 * every verified register it touches, and each required event must be among those that took effect.
 * Only verified registers vouch for a log, so an event on a register the evidence does not carry
 * proves nothing.
 *
 * <p>Aux part names: {@code eventlog} (CEL-TLV, GuestAttest's own), {@code eventlog.cel-json},
 * {@code eventlog.tcg2} (UEFI crypto-agile, PCRs), {@code eventlog.ccel} (TDX CCEL). A PCR event
 * names {@code pcrN}; a CC measurement-register event with index N >= 1 names the TEE's runtime
 * register N-1 ({@code rtmr}, {@code rem}, {@code rmr}), index 0 being the initial measurement.
 *
 * <p>A required digest must be the event's digest in the bank the register was replayed in. A
 * required description is met only by an event whose digests are recomputed from the content that
 * carries the description ({@link EventDescription}): the log is unsigned, so a description beside
 * a digest of something else is a relabelled event.
 */
final class EventLogAppraisal {
    static final String CHECK = PolicyChecks.EVENT_LOG;

    private EventLogAppraisal() {
    }

    /** Whether the requirements hold; each finding is added to {@code checks} under {@value #CHECK}. */
    static boolean appraise(Policy.EventLogRule rule, Evidence evidence, CommonClaims claims, EvidenceVerifier verifier, List<Check> checks) {
        Log log;
        try {
            Optional<Log> read = read(evidence);
            if (read.isEmpty()) {
                if (rule.required()) {
                    checks.add(Check.fail(CHECK, "the policy requires an event log and the evidence has none (aux part 'eventlog')"));
                    return false;
                }
                return true;
            }
            log = read.get();
        } catch (AttestationException e) {
            checks.add(Check.fail(CHECK, "unreadable: " + e.getMessage()));
            return false;
        }
        Map<String, List<Event>> byRegister = new LinkedHashMap<>();
        for (Event e : log.events()) {
            Optional<String> name = register(verifier, e);
            if (name.isEmpty()) {
                continue;
            }
            byRegister.computeIfAbsent(name.get(), k -> new ArrayList<>()).add(e);
        }
        List<String> problems = new ArrayList<>();
        Map<String, Replayed> effective = new LinkedHashMap<>();
        for (Map.Entry<String, List<Event>> r : byRegister.entrySet()) {
            Bytes actual = claims.runtimeRegisters().get(r.getKey());
            if (actual == null) {
                continue; // not quoted: nothing vouches for these events, so none of them counts as taken effect
            }
            Optional<HashAlgorithm> bank = bank(actual);
            if (bank.isEmpty()) {
                problems.add(r.getKey() + " has " + actual.length() + " bytes, no digest algorithm's size");
                continue;
            }
            int index = r.getValue().get(0).index();
            Replay.Match match;
            try {
                match = Replay.compare(r.getValue(), index, bank.get(), actual);
            } catch (AttestationException e) {
                problems.add(r.getKey() + ": " + e.getMessage());
                continue;
            }
            switch (match) {
                case EXACT -> effective.put(r.getKey(), new Replayed(bank.get(), r.getValue()));
                case LAST_EVENT_NOT_APPLIED -> effective.put(r.getKey(),
                        new Replayed(bank.get(), r.getValue().subList(0, r.getValue().size() - 1)));
                case MISMATCH -> problems.add("the log's events for " + r.getKey() + " (" + r.getValue().size()
                        + ") do not replay to its value");
            }
        }
        // one verdict per check name: every problem in one failure, every required event in one line
        boolean ok = problems.isEmpty();
        checks.add(ok ? Check.pass(CHECK, "replays to " + (effective.isEmpty() ? "no quoted register" : effective.keySet()))
                : Check.fail(CHECK, String.join("; ", problems)));
        if (rule.events().isEmpty()) {
            return ok;
        }
        List<String> missing = new ArrayList<>();
        for (Policy.RequiredEvent required : rule.events()) {
            Optional<Replayed> in = Optional.ofNullable(effective.get(required.register()));
            if (in.isEmpty() || in.get().events().stream().noneMatch(e -> matches(required, e, in.get().bank(), log.encoding()))) {
                missing.add(required + " is not among the events that took effect in a quoted register"
                        + in.map(r -> relabelled(required, r, log.encoding())).orElse(""));
            }
        }
        checks.add(missing.isEmpty() ? Check.pass(PolicyChecks.EVENT_LOG_EVENTS, rule.events().stream().map(Object::toString)
                .collect(java.util.stream.Collectors.joining(", ")) + " took effect")
                : Check.fail(PolicyChecks.EVENT_LOG_EVENTS, String.join("; ", missing)));
        return ok && missing.isEmpty();
    }

    /** A log's events and how they encode their content. */
    private record Log(List<Event> events, EventDescription.Encoding encoding) {
    }

    /** The events that took effect in a quoted register, and the bank they were replayed in. */
    private record Replayed(HashAlgorithm bank, List<Event> events) {
    }

    private static Optional<Log> read(Evidence evidence) {
        Optional<Bytes> tlv = evidence.aux("eventlog");
        if (tlv.isPresent()) {
            return Optional.of(new Log(CelTlv.parse(tlv.get().toArray()), EventDescription.Encoding.CEL));
        }
        Optional<Bytes> json = evidence.aux("eventlog.cel-json");
        if (json.isPresent()) {
            return Optional.of(new Log(CelJson.read(json.get().toArray()), EventDescription.Encoding.CEL));
        }
        Optional<Bytes> tcg2 = evidence.aux("eventlog.tcg2");
        if (tcg2.isPresent()) {
            return Optional.of(new Log(replayable(Tcg2Log.parse(tcg2.get().toArray(), Event.IndexKind.PCR).events()),
                    EventDescription.Encoding.TCG_PC_CLIENT));
        }
        return evidence.aux("eventlog.ccel").map(c -> new Log(replayable(Tcg2Log.parse(c.toArray(), Event.IndexKind.CC_MR).events()),
                EventDescription.Encoding.TCG_PC_CLIENT));
    }

    /** EV_NO_ACTION events are informational: they were never extended. */
    private static List<Event> replayable(List<Event> events) {
        return events.stream().filter(e -> e.type() != Tcg2Log.EV_NO_ACTION).toList();
    }

    private static Optional<String> register(EvidenceVerifier verifier, Event e) {
        return switch (e.indexKind()) {
            case PCR -> Optional.of("pcr" + e.index());
            case CC_MR -> verifier.ccMeasurementRegister(e.index());
            case NV -> Optional.empty();
        };
    }

    private static Optional<HashAlgorithm> bank(Bytes register) {
        for (HashAlgorithm a : HashAlgorithm.values()) {
            if (a.size() == register.length()) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** A digest in another bank was never extended into this register, so it identifies nothing here. */
    private static boolean matches(Policy.RequiredEvent required, Event e, HashAlgorithm bank, EventDescription.Encoding encoding) {
        if (required.digest().isPresent()) {
            return e.digest(bank).equals(required.digest());
        }
        return EventDescription.verified(e, encoding).equals(required.description());
    }

    /** Why an event that names the required description does not count: its digest is not the hash of its content. */
    private static String relabelled(Policy.RequiredEvent required, Replayed r, EventDescription.Encoding encoding) {
        if (required.description().isEmpty()) {
            return "";
        }
        return r.events().stream().filter(e -> EventDescription.claimed(e, encoding).equals(required.description())).findFirst()
                .map(e -> " (event " + e.recnum() + " is labelled '" + required.description().get()
                        + "', but its digest is not the hash of its content: relabelled, or measured elsewhere)").orElse("");
    }
}
