// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keys ABI: keyutils (the kernel runs /sbin/request-key for every upcall) and the rule keys
 * install wrote, whose paths go stale when the JDK or guest-attest is upgraded or moved.
 */
final class Keys {
    static final String RULE = "request-key.d/guest_attest.conf";
    private static final String MARKER = "# Managed by guest-attest keys install";
    private static final String REINSTALL = "re-run guest-attest keys install (as root)";

    private Keys() {
    }

    static Path ruleFile(Machine m) {
        return m.etc(RULE);
    }

    static Finding keyutils(Machine m) {
        Path requestKey = m.under("sbin/request-key");
        boolean installed = Files.exists(ruleFile(m));
        Optional<Path> keyctl = List.of("bin/keyctl", "usr/bin/keyctl", "sbin/keyctl", "usr/sbin/keyctl").stream().map(m::under)
                .filter(Files::isExecutable).findFirst();
        // only a real procfs has self/; a test's fake /proc has no keys file to find
        if (!Files.exists(m.proc("keys")) && Files.isDirectory(m.proc("self"))) {
            return Finding.fail("keys.keyutils", "no " + m.proc("keys") + ": the kernel has no key retention service",
                    "use a kernel built with CONFIG_KEYS");
        }
        if (!Files.isExecutable(requestKey)) {
            String detail = "no " + requestKey + " (keyutils is not installed): the kernel runs it for every request-key upcall";
            String fix = "install keyutils (apt-get install keyutils, or dnf install keyutils)";
            return installed ? Finding.fail("keys.keyutils", detail + ", so the installed rule can never run", fix)
                    : Finding.skip("keys.keyutils", detail + "; only the keys ABI (guest-attest keys install) needs it", fix);
        }
        return Finding.ok("keys.keyutils", requestKey + " present" + keyctl.map(k -> ", keyctl at " + k).orElse(", no keyctl"));
    }

    static Finding rule(Machine m) {
        Path file = ruleFile(m);
        if (!Files.exists(file)) {
            return Finding.skip("keys.request-key-rule", "no " + file + ": the keys ABI is not installed",
                    "guest-attest keys install, if guests should get evidence through request_key");
        }
        Optional<String> text = Texts.read(file, 64 * 1024);
        if (text.isEmpty()) {
            return Finding.fail("keys.request-key-rule", "cannot read " + file, "run doctor as root");
        }
        List<RequestKeyRule> rules = text.get().lines().map(RequestKeyRule::parse).flatMap(Optional::stream).toList();
        if (rules.isEmpty()) {
            return Finding.fail("keys.request-key-rule", file + " has no create line", REINSTALL);
        }
        List<String> missing = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (RequestKeyRule r : rules) {
            missing.addAll(stale(r));
            r.cdsArchive().filter(a -> !Files.exists(a)).ifPresent(a -> warnings.add("its AppCDS archive " + a
                    + " is gone (upcalls still work, each starts slower)"));
        }
        if (!text.get().startsWith(MARKER)) {
            warnings.add("guest-attest did not write it (no marker line), so keys install will not replace it");
        }
        String types = String.join(", ", rules.stream().map(r -> r.type() + " " + r.description()).distinct().toList());
        if (!missing.isEmpty()) {
            return Finding.fail("keys.request-key-rule", "the request-key rule in " + file + " names " + String.join("; ", missing),
                    REINSTALL + " to record the current paths");
        }
        if (!warnings.isEmpty()) {
            return Finding.warn("keys.request-key-rule", file + " (" + types + "): " + String.join("; ", warnings), REINSTALL);
        }
        return Finding.ok("keys.request-key-rule", file + " serves " + types + " with " + rules.get(0).program());
    }

    /** What a rule names that is no longer there. */
    private static List<String> stale(RequestKeyRule r) {
        Set<String> gone = new LinkedHashSet<>();
        if (!Files.isExecutable(r.program())) {
            gone.add(r.program() + " which does not exist or is not executable (the JDK was upgraded or moved?)");
        }
        List<Path> cp = new ArrayList<>(r.classpath());
        if (r.argFile().isPresent()) {
            Optional<String> args = Texts.read(r.argFile().get(), 256 * 1024);
            if (args.isEmpty()) {
                gone.add("the argument file " + r.argFile().get() + " which does not exist");
            } else {
                cp.addAll(RequestKeyRule.classpathOfArgFile(args.get()));
            }
        }
        cp.stream().filter(p -> !Files.exists(p)).forEach(p -> gone.add(p + " which does not exist"));
        return List.copyOf(gone);
    }

    /** The brokers the secret rule asks, for the reachability checks. */
    static List<java.net.URI> brokers(Machine m) {
        return Texts.read(ruleFile(m), 64 * 1024).map(t -> t.lines().map(RequestKeyRule::parse).flatMap(Optional::stream)
                .flatMap(r -> r.broker().stream()).distinct().toList()).orElse(List.of());
    }
}
