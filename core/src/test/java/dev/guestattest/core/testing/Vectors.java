// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves the shared golden vectors ({@code ../shared/vectors} beside the repository) from any
 * module's test working directory. Override with {@code -Dguestattest.vectors=DIR}. Missing
 * vectors fail the test: they are part of the test environment, not optional.
 */
public final class Vectors {
    private Vectors() {
    }

    public static Path root() {
        String override = System.getProperty("guestattest.vectors");
        if (override != null) {
            return Path.of(override);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/vectors not found above " + Path.of("").toAbsolutePath()
                + "; check out ../shared beside the repository or set -Dguestattest.vectors");
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    public static byte[] read(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
