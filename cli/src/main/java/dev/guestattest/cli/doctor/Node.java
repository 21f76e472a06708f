// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;

/**
 * What stat(2) and access(2) say about one file: enough to tell a user why they cannot open a device
 * node or why a directory is too open. Nothing here opens the file: a device open may block.
 *
 * @param mode the permission bits (07777)
 * @param readable whether this process may read it (access(2): root passes)
 */
record Node(Path path, String type, int mode, String owner, String group, boolean readable, boolean writable, boolean executable) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    static Optional<Node> of(Path path) {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        try {
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class);
            int raw = (Integer) Files.getAttribute(path, "unix:mode");
            String type = (raw & S_IFMT) == S_IFCHR ? "character device" : a.isDirectory() ? "directory" : a.isRegularFile() ? "regular file"
                    : "special file";
            return Optional.of(new Node(path, type, raw & 07777, a.owner().getName(), a.group().getName(), Files.isReadable(path),
                    Files.isWritable(path), Files.isExecutable(path)));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.of(new Node(path, "unreadable (" + e.getMessage() + ")", 0, "?", "?", false, false, false));
        }
    }

    boolean characterDevice() {
        return type.equals("character device");
    }

    /** e.g. {@code rw-rw---- tss:tss}. */
    String describe() {
        return rwx(mode) + " " + owner + ":" + group;
    }

    String octal() {
        return String.format("%04o", mode);
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }
}
