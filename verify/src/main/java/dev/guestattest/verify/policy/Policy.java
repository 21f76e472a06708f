// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.policy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.TeeRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An appraisal policy, loaded from JSON or YAML and checked whole at load time, so a typo fails there
 * with its line and field, never during an appraisal:
 * <pre>
 * id: web-frontend
 * tees: [tdx, snp]
 * allow_debug: false
 * vmpl: [0]
 * accepted_tcb_status: [UpToDate]
 * minimum_tcb: {snp: {snp: 22, microcode: 213}, tdx: {tee_tcb_svn.1: 1}}
 * reference_values:
 *   initial_measurement: ["91eb..."]
 *   runtime_registers: {rtmr0: ["..."]}
 * event_log:
 *   required: true
 *   events: [{register: rtmr2, description: "app.jar"}, {register: rtmr3, digest: "..."}]
 * freshness: {max_age_seconds: 300}
 * init_data:
 *   required: true
 *   claims: {"/aa.toml/token_configs/kbs/url": "https://kbs.example"}
 * tee_rules:
 *   snp: {allow_smt: false, host_data: "..."}
 * </pre>
 * Reference values are any-of lists; a policy may reference registers alone (a TPM has no initial
 * measurement). Without any reference values no executable is approved (the appraisal warns).
 * {@code vmpl} lists the privilege levels inside the guest whose evidence is accepted (SNP's VMPL;
 * absent: 0 only, the level an SVSM or the guest's own firmware runs at; TEEs without such levels
 * are not judged on it). {@code accepted_tcb_status} lists the vendor TCB statuses that count as up
 * to date; any other is a warning (absent: UpToDate only). {@code minimum_tcb} names, per TEE, the
 * lowest security version of each TCB component ({@link dev.guestattest.core.verify.CommonClaims#tcb}).
 * {@code event_log} requires an event log that replays to the registers, and events that must be in
 * it. {@code init_data} requires the guest's init-data (its digest is checked against the evidence
 * whenever a guest sends one) and values in its claims. {@code freshness} requires the evidence to answer a nonce the appraiser issued at most that
 * long ago. {@code tee_rules} holds each TEE's own rules, read by that TEE ({@link TeeRules}).
 */
public record Policy(String id, Bytes sha256, Set<String> tees, boolean allowDebug, Set<Integer> vmpls, Set<String> acceptedTcbStatus,
                     Map<String, Map<String, Long>> minimumTcb, Set<Bytes> initialMeasurements, Map<String, Set<Bytes>> runtimeRegisters,
                     Optional<EventLogRule> eventLog, Optional<Duration> freshness, Map<String, TeeRules> teeRules,
                     boolean requireClaims, Optional<InitDataRule> initData) {
    public static final int MAX_SIZE = 1 << 20;
    /** Absent {@code vmpl}: only the most privileged level, the one the guest's measured firmware (or SVSM) runs at. */
    public static final Set<Integer> DEFAULT_VMPLS = Set.of(0);
    /** The TCB statuses vendors report (Intel's names; Revoked never passes verification). */
    public static final Set<String> TCB_STATUSES = Set.of("UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
            "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", "TDRelaunchAdvised",
            "TDRelaunchAdvisedConfigurationNeeded", "TcbNotSupported");

    public Policy {
        tees = Set.copyOf(tees);
        vmpls = Set.copyOf(vmpls);
        acceptedTcbStatus = Set.copyOf(acceptedTcbStatus);
        Map<String, Map<String, Long>> m = new HashMap<>();
        minimumTcb.forEach((k, v) -> m.put(k, Map.copyOf(v)));
        minimumTcb = Map.copyOf(m);
        initialMeasurements = Set.copyOf(initialMeasurements);
        Map<String, Set<Bytes>> r = new HashMap<>();
        runtimeRegisters.forEach((k, v) -> r.put(k, Set.copyOf(v)));
        runtimeRegisters = Map.copyOf(r);
        Objects.requireNonNull(eventLog, "eventLog");
        Objects.requireNonNull(freshness, "freshness");
        teeRules = Map.copyOf(teeRules);
        Objects.requireNonNull(initData, "initData");
    }

    /**
     * The policy {@code verify} judges by: {@code tee} only, debug refused, VMPL 0, TCB UpToDate.
     * Unlike a policy file it does not require claims a TEE may lack ({@code requireClaims} false):
     * executables are judged only against reference values given, and debug only where the evidence
     * says. Verify answers whether evidence is genuine and meets the options; appraise whether it is
     * a known workload.
     */
    public static Builder forVerification(String tee) {
        return new Builder("verify --" + tee, Set.of(tee));
    }

    /** Options of {@code verify} as a policy; each setter replaces its rule. */
    public static final class Builder {
        private final String id;
        private final Set<String> tees;
        private boolean allowDebug;
        private Set<Integer> vmpls = DEFAULT_VMPLS;
        private Set<String> acceptedTcbStatus = Set.of("UpToDate");
        private Map<String, Map<String, Long>> minimumTcb = Map.of();
        private Set<Bytes> initialMeasurements = Set.of();
        private final Map<String, TeeRules> teeRules = new HashMap<>();
        private Optional<EventLogRule> eventLog = Optional.empty();

        private Builder(String id, Set<String> tees) {
            this.id = id;
            this.tees = tees;
        }

        public Builder allowDebug(boolean allow) {
            this.allowDebug = allow;
            return this;
        }

        public Builder vmpls(Set<Integer> levels) {
            this.vmpls = levels;
            return this;
        }

        public Builder acceptedTcbStatus(Set<String> statuses) {
            for (String status : statuses) {
                if (!TCB_STATUSES.contains(status)) {
                    throw AttestationException.invalid("accepted TCB status", "'" + status + "' is not a TCB status " + TCB_STATUSES);
                }
            }
            this.acceptedTcbStatus = Set.copyOf(statuses);
            return this;
        }

        public Builder minimumTcb(String tee, Map<String, Long> components) {
            this.minimumTcb = Map.of(tee, Map.copyOf(components));
            return this;
        }

        public Builder initialMeasurements(Set<Bytes> values) {
            this.initialMeasurements = Set.copyOf(values);
            return this;
        }

        /** The evidence's event log (aux part {@code eventlog...}) must replay to the registers it touches. */
        public Builder eventLog(EventLogRule rule) {
            this.eventLog = Optional.of(rule);
            return this;
        }

        public Builder teeRules(String tee, TeeRules rules) {
            teeRules.put(tee, rules);
            return this;
        }

        public Policy build() {
            return new Policy(id, Bytes.of(HashAlgorithm.SHA256.hash(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))), tees, allowDebug,
                    vmpls, acceptedTcbStatus, minimumTcb, initialMeasurements, Map.of(), eventLog, Optional.empty(), teeRules,
                    false, Optional.empty());
        }
    }

    /**
     * What the policy asks of the guest's init-data: that there is some, and values in its claims by
     * JSON pointer ({@code /aa.toml/token_configs/kbs/url}), compared as text; claims imply required.
     */
    public record InitDataRule(boolean required, ClaimValues claims) {
        public InitDataRule {
            Objects.requireNonNull(claims, "claims");
        }
    }

    /** What the event log must show: that it replays to every quoted register it touches, and these events. */
    public record EventLogRule(boolean required, List<RequiredEvent> events) {
        public EventLogRule {
            events = List.copyOf(events);
        }
    }

    /**
     * An event that must have taken effect in {@code register}: by its digest in the register's bank,
     * or by a description whose digest is recomputed from the content carrying it
     * ({@link dev.guestattest.core.eventlog.EventDescription}).
     */
    public record RequiredEvent(String register, Optional<Bytes> digest, Optional<String> description) {
        @Override
        public String toString() {
            return register + ":" + digest.map(Bytes::hex).orElseGet(() -> "'" + description.orElse("") + "'");
        }
    }

    /** The file's shape; snake_case names, unknown fields refused. */
    private record File(String id, List<String> tees, Boolean allowDebug, List<Integer> vmpl, List<String> acceptedTcbStatus,
                        Map<String, Map<String, Long>> minimumTcb, ReferenceValues referenceValues, EventLog eventLog, Freshness freshness,
                        Map<String, JsonNode> teeRules, InitDataFile initData) {
    }

    private record InitDataFile(Boolean required, Map<String, String> claims) {
    }

    private record ReferenceValues(List<String> initialMeasurement, Map<String, List<String>> runtimeRegisters) {
    }

    private record EventLog(Boolean required, List<Event> events) {
    }

    private record Event(String register, String digest, String description) {
    }

    private record Freshness(Long maxAgeSeconds) {
    }

    /** A policy in JSON (the document starts with '{') or YAML; {@code tee_rules} sections read by the TEEs on the class path. */
    public static Policy parse(byte[] document) {
        return parse(document, Tees.discover());
    }

    /** A policy whose {@code tee_rules.<tee>} sections are read by {@code tees}' own parsers. */
    public static Policy parse(byte[] document, Tees tees) {
        if (document.length > MAX_SIZE) {
            throw AttestationException.tooLarge("policy", document.length, MAX_SIZE);
        }
        File f = Documents.read(document, File.class, "policy");
        if (f == null || f.id() == null || f.id().isBlank()) {
            throw AttestationException.invalid("policy: id", "is required");
        }
        if (f.tees() == null || f.tees().isEmpty()) {
            throw AttestationException.invalid("policy: tees", "name at least one accepted TEE (tdx, snp, cca, ...)");
        }
        if (f.acceptedTcbStatus() != null) {
            for (String status : f.acceptedTcbStatus()) {
                if (!TCB_STATUSES.contains(status)) {
                    throw AttestationException.invalid("policy: accepted_tcb_status", "'" + status + "' is not a TCB status " + TCB_STATUSES);
                }
            }
        }
        Map<String, Map<String, Long>> minimumTcb = Optional.ofNullable(f.minimumTcb()).orElse(Map.of());
        minimumTcb.forEach((tee, components) -> {
            if (!f.tees().contains(tee)) {
                throw AttestationException.invalid("policy: minimum_tcb." + tee, "names a TEE the policy does not accept " + f.tees());
            }
            if (components == null || components.isEmpty()) {
                throw AttestationException.invalid("policy: minimum_tcb." + tee, "names no component");
            }
            components.forEach((name, svn) -> {
                if (svn == null || svn < 0) {
                    throw AttestationException.invalid("policy: minimum_tcb." + tee + "." + name, "must be a security version number >= 0");
                }
            });
        });
        Set<Bytes> initial = new HashSet<>();
        Map<String, Set<Bytes>> registers = new HashMap<>();
        if (f.referenceValues() != null) {
            Optional.ofNullable(f.referenceValues().initialMeasurement()).orElse(List.of())
                    .forEach(h -> initial.add(Bytes.fromHex("policy: reference_values.initial_measurement", h)));
            Optional.ofNullable(f.referenceValues().runtimeRegisters()).orElse(Map.of()).forEach((name, values) -> {
                Set<Bytes> s = new HashSet<>();
                if (values == null || values.isEmpty()) {
                    throw AttestationException.invalid("policy: reference_values.runtime_registers." + name, "lists no value");
                }
                values.forEach(h -> s.add(Bytes.fromHex("policy: reference_values.runtime_registers." + name, h)));
                registers.put(name, s);
            });
        }
        Set<String> accepted = f.acceptedTcbStatus() == null ? Set.of("UpToDate") : Set.copyOf(f.acceptedTcbStatus());
        return new Policy(f.id(), Bytes.of(HashAlgorithm.SHA256.hash(document)), Set.copyOf(f.tees()), Boolean.TRUE.equals(f.allowDebug()),
                vmpls(document, Optional.ofNullable(f.vmpl())), accepted, minimumTcb, initial, registers,
                Optional.ofNullable(f.eventLog()).map(Policy::eventLog), Optional.ofNullable(f.freshness()).map(Policy::freshness),
                teeRules(document, f, tees), true, Optional.ofNullable(f.initData()).map(Policy::initData));
    }

    private static InitDataRule initData(InitDataFile f) {
        return new InitDataRule(Boolean.TRUE.equals(f.required()), ClaimValues.parse("policy: init_data.claims", f.claims()));
    }

    /** Each section by its TEE's parser; a TEE the policy does not accept, or without rules, is an error, never ignored. */
    private static Map<String, TeeRules> teeRules(byte[] document, File f, Tees tees) {
        Map<String, TeeRules> out = new HashMap<>();
        Optional.ofNullable(f.teeRules()).orElse(Map.of()).forEach((tee, section) -> {
            if (!f.tees().contains(tee)) {
                throw Documents.invalid(document, "policy", "names a TEE the policy does not accept " + f.tees(), "tee_rules", tee);
            }
            TeeRules.Parser parser = tees.find(tee).flatMap(Tee::rules).orElseThrow(() -> Documents.invalid(document, "policy",
                    "no TEE here has rules of its own under that name (TEEs with rules: " + tees.all().stream()
                            .filter(t -> t.rules().isPresent()).map(Tee::name).toList() + ")", "tee_rules", tee));
            String where = "policy: tee_rules." + tee;
            try {
                out.put(tee, parser.parse(where, section));
            } catch (AttestationException e) {
                throw Documents.located(document, "policy", e, where, "tee_rules", tee);
            }
        });
        return out;
    }

    /** The VMPLs a document's {@code vmpl} accepts, each 0..3 (absent: the default); {@code verify --snp --policy} reads them so too. */
    public static Set<Integer> vmpls(byte[] document, Optional<List<Integer>> vmpl) {
        if (vmpl.isEmpty()) {
            return DEFAULT_VMPLS;
        }
        List<Integer> listed = vmpl.get();
        if (listed.isEmpty()) {
            throw Documents.invalid(document, "policy", "lists no level: name the VMPLs to accept (0..3), or leave it out for [0]", "vmpl");
        }
        for (int i = 0; i < listed.size(); i++) {
            if (listed.get(i) < 0 || listed.get(i) > 3) {
                throw Documents.invalid(document, "policy", listed.get(i) + " is outside 0..3", "vmpl", i);
            }
        }
        return Set.copyOf(listed);
    }

    private static EventLogRule eventLog(EventLog e) {
        List<RequiredEvent> events = new ArrayList<>();
        List<Event> listed = Optional.ofNullable(e.events()).orElse(List.of());
        for (int i = 0; i < listed.size(); i++) {
            Event x = listed.get(i);
            String field = "policy: event_log.events[" + i + "]";
            if (x == null || x.register() == null || x.register().isBlank()) {
                throw AttestationException.invalid(field + ".register", "is required (e.g. rtmr2, pcr16)");
            }
            if ((x.digest() == null) == (x.description() == null)) {
                throw AttestationException.invalid(field, "give exactly one of digest or description");
            }
            events.add(new RequiredEvent(x.register(), Optional.ofNullable(x.digest()).map(h -> Bytes.fromHex(field + ".digest", h)),
                    Optional.ofNullable(x.description())));
        }
        // listing events implies the log is required: they cannot be checked without it
        return new EventLogRule(e.required() == null ? true : e.required() || !events.isEmpty(), events);
    }

    private static Duration freshness(Freshness f) {
        if (f.maxAgeSeconds() == null || f.maxAgeSeconds() < 1 || f.maxAgeSeconds() > 86_400) {
            throw AttestationException.invalid("policy: freshness.max_age_seconds", "must be 1..86400 seconds");
        }
        return Duration.ofSeconds(f.maxAgeSeconds());
    }
}
