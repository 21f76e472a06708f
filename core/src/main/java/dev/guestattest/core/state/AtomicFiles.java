// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files written whole or not at all, and secret ones never readable by others: the bytes go to a
 * new temporary file beside the target, which is then renamed over it. A secret file's mode is
 * set by the open that creates it, so no umask, chmod or window ever lets another user read it.
 */
public final class AtomicFiles {
    /** rw-------: what a secret file is created with. */
    public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** rwx------: what a state directory is created with. */
    public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    /** CREATE_NEW is O_EXCL: it neither reuses nor follows anything already at the temporary name. */
    private static final Set<OpenOption> NEW_FILE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    private AtomicFiles() {
    }

    /** Replaces {@code file} with {@code content}; with {@code secret}, created 0600 from the first syscall. */
    public static void write(Path file, byte[] content, boolean secret) throws IOException {
        Path tmp = temporary(file);
        try {
            writeNew(tmp, content, secret);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp); // gone after a rename; after a failure, no half-written file stays behind
        }
    }

    /**
     * Creates the secret {@code file} (0600) holding {@code content}, unless it exists: written whole
     * under a temporary name, then linked in, which fails rather than replace. A concurrent reader
     * never sees a half-written file, and the first writer's content wins (a key-encryption key).
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists; another writer's is kept
     */
    public static void createNew(Path file, byte[] content) throws IOException {
        Path tmp = temporary(file);
        try {
            writeNew(tmp, content, true);
            Files.createLink(file, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A random name beside {@code file}: concurrent writers never share (or delete) each other's temporary file. */
    private static Path temporary(Path file) {
        return file.resolveSibling("." + file.getFileName() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    private static void writeNew(Path tmp, byte[] content, boolean secret) throws IOException {
        try (FileChannel ch = secret ? FileChannel.open(tmp, NEW_FILE, OWNER_ONLY) : FileChannel.open(tmp, NEW_FILE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true); // durable before a rename or link makes it the file
        }
    }

    /** Creates {@code dir} and any missing parents with mode 0700; existing directories are left as they are. */
    public static void createPrivateDirectories(Path dir) throws IOException {
        Files.createDirectories(dir, OWNER_ONLY_DIRECTORY);
    }
}
