// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.linux.Libc;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** {@link ConfigfsIo} through {@link Libc}, so every configfs errno reaches the caller exactly. */
public final class LibcConfigfsIo implements ConfigfsIo {
    private static final int CHUNK = 64 * 1024;

    @Override
    public void mkdir(Path dir) {
        try {
            Libc.mkdir(dir.toString(), 0700);
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode(), "mkdir", dir);
        }
    }

    @Override
    public void rmdir(Path dir) {
        try {
            Libc.rmdir(dir.toString());
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode(), "rmdir", dir);
        }
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void write(Path file, byte[] data) {
        int fd = open(file, Libc.O_WRONLY);
        ErrnoException failure = null;
        try {
            Memory buf = new Memory(Math.max(1, data.length));
            buf.write(0, data, 0, data.length);
            long done = 0;
            while (done < data.length) {
                done += Libc.write(fd, buf.share(done), data.length - done);
            }
        } catch (LastErrorException e) {
            failure = new ErrnoException(e.getErrorCode(), "write", file);
        } finally {
            // configfs applies binary attributes at close(); its errors matter too.
            try {
                Libc.close(fd);
            } catch (LastErrorException e) {
                if (failure == null) {
                    failure = new ErrnoException(e.getErrorCode(), "close", file);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public byte[] read(Path file, int max) {
        int fd = open(file, Libc.O_RDONLY);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Memory buf = new Memory(CHUNK);
            while (true) {
                long n = Libc.read(fd, buf, CHUNK);
                if (n == 0) {
                    return out.toByteArray();
                }
                if (out.size() + n > max) {
                    throw new ErrnoException(Errno.EFBIG, "read (over " + max + " bytes)", file);
                }
                out.write(buf.getByteArray(0, (int) n), 0, (int) n);
            }
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode(), "read", file);
        } finally {
            try {
                Libc.close(fd);
            } catch (LastErrorException ignored) {
                // A read-only fd's close cannot lose data.
            }
        }
    }

    private static int open(Path file, int flags) {
        try {
            return Libc.open(file.toString(), flags | Libc.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new ErrnoException(e.getErrorCode(), "open", file);
        }
    }
}
