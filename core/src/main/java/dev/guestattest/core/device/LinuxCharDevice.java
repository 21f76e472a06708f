// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.device;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import dev.guestattest.core.linux.Libc;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link CharDevice} through {@link Libc}, so every errno reaches the caller exactly. */
final class LinuxCharDevice implements CharDevice {
    static final LinuxCharDevice INSTANCE = new LinuxCharDevice();

    private LinuxCharDevice() {
    }

    @Override
    public Handle open(Path path) {
        try {
            return new Fd(path, Libc.open(path.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0));
        } catch (LastErrorException e) {
            throw new SyscallException("open " + path, e.getErrorCode());
        }
    }

    private static final class Fd implements Handle {
        private final Path path;
        private final int fd;
        // a second close could close a descriptor another thread has since been given
        private final AtomicBoolean closed = new AtomicBoolean();

        Fd(Path path, int fd) {
            this.path = path;
            this.fd = fd;
        }

        @Override
        public int ioctl(long request, Memory arg) {
            if (closed.get()) {
                throw new IllegalStateException("ioctl on " + path + " after close");
            }
            try {
                return Libc.ioctl(fd, new NativeLong(request), arg);
            } catch (LastErrorException e) {
                throw new SyscallException(String.format("ioctl 0x%x on %s", request, path), e.getErrorCode());
            }
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                Libc.close(fd);
            } catch (LastErrorException e) {
                // Linux releases the descriptor even when close fails, so it is never retried
                throw new SyscallException("close " + path, e.getErrorCode());
            }
        }
    }
}
