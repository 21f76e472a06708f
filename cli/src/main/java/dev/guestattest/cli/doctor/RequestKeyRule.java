// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One {@code create} line of /etc/request-key.d/guest_attest.conf as keys install writes it:
 * {@code create TYPE DESCRIPTION * PROGRAM [JVM flags] (-cp CP | @ARGFILE) MAIN keys upcall [options] %o %k %c %S %u}.
 * Only what can go stale is kept: the program, the class path, the AppCDS archive and the broker.
 */
record RequestKeyRule(String type, String description, Path program, List<Path> classpath, Optional<Path> argFile,
                      Optional<Path> cdsArchive, Optional<URI> broker) {
    RequestKeyRule {
        classpath = List.copyOf(classpath);
    }

    /** The rule on {@code line}, or empty for a comment, a blank line or another program's line. */
    static Optional<RequestKeyRule> parse(String line) {
        String[] w = line.strip().split("\\s+");
        if (w.length < 5 || !w[0].equals("create") || line.strip().startsWith("#")) {
            return Optional.empty();
        }
        List<Path> cp = new ArrayList<>();
        Optional<Path> argFile = Optional.empty();
        Optional<Path> cds = Optional.empty();
        Optional<URI> broker = Optional.empty();
        for (int i = 5; i < w.length; i++) {
            if (w[i].equals("-cp") && i + 1 < w.length) {
                cp.addAll(classpath(w[++i]));
            } else if (w[i].startsWith("@")) {
                argFile = Optional.of(Path.of(w[i].substring(1)));
            } else if (w[i].startsWith("-XX:SharedArchiveFile=")) {
                cds = Optional.of(Path.of(w[i].substring("-XX:SharedArchiveFile=".length())));
            } else if (w[i].equals("--broker") && i + 1 < w.length) {
                try {
                    broker = Optional.of(new URI(w[++i]));
                } catch (java.net.URISyntaxException e) {
                    // keys install validated it; a hand-edited one is left to the upcall's own error
                }
            }
        }
        return Optional.of(new RequestKeyRule(w[1], w[2], Path.of(w[4]), cp, argFile, cds, broker));
    }

    /** The class path an argument file ({@code -cp CP}) holds. */
    static List<Path> classpathOfArgFile(String text) {
        String[] w = text.strip().split("\\s+");
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals("-cp")) {
                return classpath(w[i + 1]);
            }
        }
        return List.of();
    }

    private static List<Path> classpath(String cp) {
        return Arrays.stream(cp.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }
}
