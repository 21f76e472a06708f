// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.linux.Libc;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link HandlerLog#file}: root appending to a file, so neither through a link nor where others could plant one. */
final class FileLog implements HandlerLog {
    private static final String OPTION = "--handler-log";
    /** O_CREAT | O_APPEND | O_NOFOLLOW: a symbolic link at the log's name fails the open (ELOOP). */
    private static final Set<OpenOption> APPEND_NO_FOLLOW = Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    /** rw-r-----: the lines hold no secrets, but need not be everyone's either. */
    private static final FileAttribute<Set<PosixFilePermission>> MODE = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-r-----"));

    private final Path file;
    private final PrintStream fallback;
    /** The checked location (the directory's real path), or why it is refused; checked once, as a handler lives a quarter of a second. */
    private final Optional<Path> checked;
    private final String refusal;

    FileLog(Path file, PrintStream fallback) {
        this.file = file;
        this.fallback = fallback;
        Optional<Path> location = Optional.empty();
        String why = "";
        try {
            location = Optional.of(safeLocation(file));
        } catch (AttestationException e) {
            why = e.getMessage();
        }
        this.checked = location;
        this.refusal = why;
    }

    @Override
    public void info(String line) {
        write("info", line);
    }

    @Override
    public void error(String line) {
        write("error", line);
    }

    private void write(String level, String line) {
        String text = Instant.now() + " guest-attest[" + ProcessHandle.current().pid() + "] " + level + ": " + line + "\n";
        if (checked.isEmpty()) {
            fallback.print("guest-attest: not appending to " + file + " (" + refusal + "): " + text);
            return;
        }
        try (FileChannel ch = FileChannel.open(checked.get(), APPEND_NO_FOLLOW, MODE)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b); // one write(2) for a line: concurrent handlers never interleave within one
            }
        } catch (IOException e) {
            fallback.print("guest-attest: cannot append to " + file + " (" + e + "): " + text);
        }
    }

    /**
     * The log's path through its directory's real path, every directory of which only root or this
     * user can change (see {@link HandlerLog#requireSafeLocation}); opening it there, links in the
     * path as given no longer matter.
     */
    static Path safeLocation(Path file) {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() == null) {
            throw AttestationException.invalid(OPTION, abs + " is not a file in a directory");
        }
        Path dir;
        try {
            dir = abs.getParent().toRealPath();
        } catch (IOException e) {
            throw AttestationException.invalid(OPTION, "the directory of " + abs + " does not exist or cannot be resolved (" + e + ")");
        }
        long euid = Libc.geteuid();
        for (Path d = dir; d != null; d = d.getParent()) {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(d, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                throw AttestationException.invalid(OPTION, "cannot check the owner and mode of " + d + " (" + e + ")");
            }
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (uid != 0 && uid != euid) {
                throw AttestationException.invalid(OPTION, d + " belongs to uid " + uid + ", who could redirect the log;"
                        + " choose a directory owned by root (or you), e.g. /var/log");
            }
            boolean othersWrite = (mode & 0022) != 0;
            boolean sticky = (mode & 01000) != 0;
            // below a sticky ancestor others cannot rename what is not theirs; in the log's own directory they can still plant a link
            if (othersWrite && (d.equals(dir) || !sticky)) {
                throw AttestationException.invalid(OPTION, d + " is writable by group or others (mode " + Integer.toOctalString(mode & 07777)
                        + "), who could plant a link at the log's name; choose a directory only root (or you) can write, e.g. /var/log");
            }
        }
        Path log = dir.resolve(abs.getFileName());
        if (Files.exists(log, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
            throw AttestationException.invalid(OPTION, abs + " is a symbolic link or not a regular file; the log must be a plain file");
        }
        return log;
    }
}
