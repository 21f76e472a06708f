// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import java.nio.file.Path;

/**
 * The file-system calls the configfs-tsm client makes. configfs reports its errors as errnos on
 * mkdir, write, close and read, so the real implementation ({@link LibcConfigfsIo}) makes the
 * syscalls itself; tests substitute a fixture that plays configfs's part.
 */
public interface ConfigfsIo {
    void mkdir(Path dir);

    void rmdir(Path dir);

    boolean exists(Path file);

    /** One open, one write of all of {@code data}, one close; errors from any of them. */
    void write(Path file, byte[] data);

    /** Reads the whole file; EFBIG when it is longer than {@code max}. */
    byte[] read(Path file, int max);
}
