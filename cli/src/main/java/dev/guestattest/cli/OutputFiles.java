package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes outputs whole or not at all: a temporary file beside the target, then a rename. */
final class OutputFiles {
    private OutputFiles() {
    }

    static void write(String option, Path target, byte[] content) {
        write(option, target, content, false);
    }

    /** With {@code secret}, the file is created readable by its owner only, before any byte is written. */
    static void write(String option, Path target, byte[] content, boolean secret) {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Files.deleteIfExists(tmp);
            if (secret) {
                Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(tmp, content);
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the target was not touched
            }
            throw AttestationException.of(Reason.IO_ERROR, option + ": cannot write " + target + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
