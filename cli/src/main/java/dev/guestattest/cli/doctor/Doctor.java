// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * guest-attest doctor's checks, in the order a support engineer asks: kernel, which TEE, its
 * configfs-tsm provider, device nodes, the TDX quote path, the TPM, keys, the state directory, then
 * the network. Each check reads files and stats nodes; none opens a device or makes a report
 * unless --try-quote is given, and each is bounded in time.
 */
public final class Doctor {
    private Doctor() {
    }

    public static Diagnosis run(Machine m, DoctorOptions o) {
        List<Finding> findings = new ArrayList<>();
        Kernel k = Kernel.read(m);
        findings.add(k.finding());
        ConfigfsTsm tsm = ConfigfsTsm.probe(m, k);
        Detection detection = Detection.of(m, k, tsm);
        List<Tee> tees = o.tee().map(List::of).orElse(detection.found());
        findings.add(tsm.finding(tees.stream().anyMatch(t -> t.kernelProvider().isPresent())));
        findings.add(detection.finding(o.tee(), tsm, k, m));
        if (tees.contains(Tee.TDX)) {
            findings.add(safely("tdx.configfs", () -> Guests.configfs(Tee.TDX, tsm, k)));
            findings.add(safely("tdx.device", () -> Guests.tdxDevice(m, tsm, k)));
            findings.add(safely("tdx.quote-path", () -> TdxQuotePath.check(m, tsm, o.tryQuote())));
            findings.add(safely("tdx.measurements", () -> Guests.tdxMeasurements(m, k)));
        }
        if (tees.contains(Tee.SNP)) {
            findings.add(safely("snp.configfs", () -> Guests.configfs(Tee.SNP, tsm, k)));
            findings.add(safely("snp.device", () -> Guests.snpDevice(m, tsm, k)));
        }
        if (tees.contains(Tee.CCA)) {
            findings.add(safely("cca.configfs", () -> Guests.configfs(Tee.CCA, tsm, k)));
        }
        if (tees.contains(Tee.S390)) {
            findings.add(safely("s390.device", () -> Guests.s390Device(m, k)));
        }
        if (o.tryQuote()) {
            tees.stream().filter(t -> t.kernelProvider().isPresent()).forEach(t -> findings.add(t.kernelProvider().equals(tsm.provider())
                    ? safely(t.id() + ".quote", () -> TryQuote.check(m, t, o.quoteTimeout()))
                    : Finding.skip(t.id() + ".quote", "not tried: configfs-tsm is not served by " + t.kernelProvider().get(), "")));
        }
        if (o.tee().isEmpty() || o.tee().get() == Tee.TPM) {
            findings.add(safely("tpm.resource-manager", () -> Tpm.check(m, k, o.tee().isPresent())));
        }
        findings.add(safely("keys.keyutils", () -> Keys.keyutils(m)));
        findings.add(safely("keys.request-key-rule", () -> Keys.rule(m)));
        findings.add(safely("state-dir", () -> StateDir.check(m.stateDir())));
        findings.addAll(network(m, o));
        return new Diagnosis(findings, detection.found());
    }

    /** A check that breaks is reported as one, not allowed to take the others down. */
    private static Finding safely(String check, Supplier<Finding> f) {
        try {
            return f.get();
        } catch (RuntimeException | LinkageError e) {
            return Finding.warn(check, "doctor could not make this check: " + e, "report it as a guest-attest bug, with this line");
        }
    }

    /** The services named on the command line, then the brokers the installed configuration asks; each URL once. */
    private static List<Finding> network(Machine m, DoctorOptions o) {
        Map<URI, Network.Target> targets = new LinkedHashMap<>();
        for (DoctorOptions.Service s : o.services()) {
            targets.putIfAbsent(s.uri(), new Network.Target("network." + s.what(), s.what(), s.uri(), s.source()));
        }
        for (URI b : Keys.brokers(m)) {
            targets.putIfAbsent(b, new Network.Target("network.broker", "broker", b, Keys.ruleFile(m).toString()));
        }
        envBrokers(m).forEach((source, b) -> targets.putIfAbsent(b, new Network.Target("network.broker", "broker", b, source)));
        if (targets.isEmpty()) {
            return List.of(Finding.skip("network", "no broker, PCS or KDS configured here (no --broker/--pcs/--kds, none in "
                    + Keys.ruleFile(m) + " or " + m.etc("guest-attest") + "/*.env)", "pass --broker URL, --pcs URL, --kds URL, or"
                    + " --collateral for Intel's PCS and AMD's KDS, to check they can be reached"));
        }
        return targets.values().stream().map(t -> safely(t.check(), () -> Network.check(t))).toList();
    }

    /** GUEST_ATTEST_BROKER in the systemd units' settings files (/etc/guest-attest/*.env). */
    private static Map<String, URI> envBrokers(Machine m) {
        Map<String, URI> found = new LinkedHashMap<>();
        Path dir = m.etc("guest-attest");
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path env : files.filter(p -> p.toString().endsWith(".env")).sorted().toList()) {
                Optional<String> line = Texts.read(env, 64 * 1024).flatMap(t -> t.lines().map(String::strip)
                        .filter(l -> l.startsWith("GUEST_ATTEST_BROKER=")).findFirst());
                if (line.isPresent()) {
                    String value = line.get().substring("GUEST_ATTEST_BROKER=".length()).replace("\"", "").strip();
                    try {
                        URI uri = new URI(value);
                        if (uri.getHost() != null) {
                            found.put(env.toString(), uri);
                        }
                    } catch (URISyntaxException e) {
                        // the unit itself fails on it, naming the value; doctor only checks reachable brokers
                    }
                }
            }
        } catch (IOException | SecurityException e) {
            return found;
        }
        return found;
    }
}
