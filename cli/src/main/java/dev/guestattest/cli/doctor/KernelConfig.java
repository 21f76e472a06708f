// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build options, from /proc/config.gz or /boot/config-RELEASE when either
 * exists: they turn "the device is missing" into "this kernel was built without the driver".
 */
record KernelConfig(Map<String, String> options, String source) {
    KernelConfig {
        options = Map.copyOf(options);
    }

    static KernelConfig none() {
        return new KernelConfig(Map.of(), "");
    }

    static KernelConfig read(Machine m, Optional<String> release) {
        Path gz = m.proc("config.gz");
        if (Files.isRegularFile(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                return parse(new String(in.readNBytes(8 * Texts.MAX), StandardCharsets.UTF_8), gz.toString());
            } catch (IOException | SecurityException e) {
                // fall through to /boot
            }
        }
        if (release.isPresent()) {
            Path boot = m.under("boot").resolve("config-" + release.get());
            Optional<String> text = Texts.read(boot, 8 * Texts.MAX);
            if (text.isPresent()) {
                return parse(text.get(), boot.toString());
            }
        }
        return none();
    }

    private static KernelConfig parse(String text, String source) {
        Map<String, String> options = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (line.startsWith("CONFIG_") && eq > 0) {
                options.put(line.substring(0, eq), line.substring(eq + 1));
            } else if (line.startsWith("# CONFIG_") && line.endsWith(" is not set")) {
                options.put(line.substring(2, line.length() - " is not set".length()), "n");
            }
        }
        return new KernelConfig(options, source);
    }

    boolean known() {
        return !source.isEmpty();
    }

    /** Whether the option is built in or a module; empty when there is no config to read. */
    Optional<Boolean> enabled(String option) {
        if (!known()) {
            return Optional.empty();
        }
        String v = options.getOrDefault(option, "n");
        return Optional.of(v.equals("y") || v.equals("m"));
    }

    /** "; CONFIG_X is not set in this kernel's SOURCE" when the config says so, else "": for appending to a detail. */
    String unlessEnabled(String option) {
        return enabled(option).orElse(true) ? "" : "; " + option + " is not set in this kernel's " + source;
    }
}
