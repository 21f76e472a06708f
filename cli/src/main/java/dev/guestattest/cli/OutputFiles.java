// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes outputs whole or not at all: a new temporary file beside the target, then a rename ({@link AtomicFiles}). */
final class OutputFiles {
    private OutputFiles() {
    }

    static void write(String option, Path target, byte[] content) {
        write(option, target, content, false);
    }

    /** With {@code secret}, the file is created readable by its owner only, by the open that creates it. */
    static void write(String option, Path target, byte[] content, boolean secret) {
        Path abs = target.toAbsolutePath();
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            AtomicFiles.write(abs, content, secret);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, option + ": cannot write " + target + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
