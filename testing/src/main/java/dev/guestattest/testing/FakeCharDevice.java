// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import com.sun.jna.Memory;
import dev.guestattest.core.device.CharDevice;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.core.linux.Errno;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable fake character device, the kernel's side of one device node: it answers the ioctls
 * it was given handlers for, ENOTTY to the rest (as the kernel does), ENOENT to other paths, and
 * fails open, any ioctl or close with the errno a test asks for. It counts opens and closes so a
 * test can check that every handle was closed exactly once. Thread-safe.
 */
public final class FakeCharDevice implements CharDevice {
    /** The kernel's handling of one ioctl: reads and writes {@code arg} in place, throws {@link SyscallException} to fail. */
    @FunctionalInterface
    public interface Ioctl {
        int handle(Memory arg);
    }

    private final Path path;
    private final Map<Long, Ioctl> handlers = new ConcurrentHashMap<>();
    private final Map<Long, Integer> ioctlFailures = new ConcurrentHashMap<>();
    private final List<Long> requests = new ArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private volatile Optional<Integer> openFailure = Optional.empty();
    private volatile Optional<Integer> closeFailure = Optional.empty();

    /** A device at {@code path}, e.g. {@code /dev/sev-guest}; nothing else can be opened through it. */
    public FakeCharDevice(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    public Path path() {
        return path;
    }

    /** Answers {@code request} with {@code handler}, replacing any earlier one. */
    public FakeCharDevice on(long request, Ioctl handler) {
        handlers.put(request, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /** Every open fails with {@code errno} (e.g. {@link Errno#EACCES} for a non-root caller). */
    public FakeCharDevice failOpen(int errno) {
        openFailure = Optional.of(errno);
        return this;
    }

    /** Every {@code request} fails with {@code errno} before its handler runs. */
    public FakeCharDevice failIoctl(long request, int errno) {
        ioctlFailures.put(request, errno);
        return this;
    }

    /** Every close fails with {@code errno}; the handle still counts as closed, as on Linux. */
    public FakeCharDevice failClose(int errno) {
        closeFailure = Optional.of(errno);
        return this;
    }

    /** Removes every injected failure; the handlers stay. */
    public FakeCharDevice heal() {
        openFailure = Optional.empty();
        closeFailure = Optional.empty();
        ioctlFailures.clear();
        return this;
    }

    /** The ioctl requests made so far, in order. */
    public synchronized List<Long> requests() {
        return List.copyOf(requests);
    }

    public int opened() {
        return opened.get();
    }

    public int closed() {
        return closed.get();
    }

    @Override
    public Handle open(Path p) {
        if (!p.equals(path)) {
            throw new SyscallException("open " + p, Errno.ENOENT);
        }
        openFailure.ifPresent(errno -> {
            throw new SyscallException("open " + p, errno);
        });
        opened.incrementAndGet();
        return new FakeHandle();
    }

    private synchronized void record(long request) {
        requests.add(request);
    }

    private final class FakeHandle implements Handle {
        private final AtomicBoolean isClosed = new AtomicBoolean();

        @Override
        public int ioctl(long request, Memory arg) {
            if (isClosed.get()) {
                throw new IllegalStateException("ioctl on " + path + " after close: the code under test reuses a closed handle");
            }
            record(request);
            Integer errno = ioctlFailures.get(request);
            if (errno != null) {
                throw new SyscallException(String.format("ioctl 0x%x on %s", request, path), errno);
            }
            Ioctl handler = handlers.get(request);
            if (handler == null) {
                throw new SyscallException(String.format("ioctl 0x%x on %s", request, path), Errno.ENOTTY);
            }
            return handler.handle(arg);
        }

        @Override
        public void close() {
            if (!isClosed.compareAndSet(false, true)) {
                throw new IllegalStateException(path + " closed twice: the code under test closes a handle again");
            }
            closed.incrementAndGet();
            closeFailure.ifPresent(errno -> {
                throw new SyscallException("close " + path, errno);
            });
        }
    }
}
