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

    /** {@code -} names stdout, for binary outputs piped on. */
    static boolean toStdout(Path target) {
        return target != null && target.toString().equals("-");
    }

    /**
     * Where a command's human summary goes: stderr when one of its outputs is stdout (so the piped
     * bytes stay clean), else stdout. {@code --json} with such an output is refused: both would be stdout.
     */
    static java.io.PrintStream summary(boolean json, Path... outputs) {
        for (Path p : outputs) {
            if (toStdout(p)) {
                if (json) {
                    throw AttestationException.invalid("--json", "cannot share stdout with an output written to '-'");
                }
                return System.err;
            }
        }
        return System.out;
    }

    static void write(String option, Path target, byte[] content) {
        write(option, target, content, false);
    }

    /** With {@code secret}, the file is created readable by its owner only, by the open that creates it. */
    static void write(String option, Path target, byte[] content, boolean secret) {
        if (toStdout(target)) {
            System.out.write(content, 0, content.length);
            System.out.flush();
            if (System.out.checkError()) {
                throw AttestationException.of(Reason.IO_ERROR, option + ": cannot write to stdout");
            }
            return;
        }
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
