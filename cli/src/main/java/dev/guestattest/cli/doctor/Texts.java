// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Small text files (procfs, sysfs, /etc) read whole, at most a bound: procfs reports no size and some files are endless. */
final class Texts {
    static final int MAX = 1 << 20;

    private Texts() {
    }

    static Optional<String> read(Path file) {
        return read(file, MAX);
    }

    static Optional<String> read(Path file, int max) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(new String(in.readNBytes(max), StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The first line, stripped. */
    static Optional<String> firstLine(Path file) {
        return read(file, 4096).map(s -> s.lines().findFirst().orElse("").strip());
    }
}
