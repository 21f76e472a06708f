// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes changes to one state directory across threads (a JVM lock, since file locks are
 * per process) and across processes (a file lock on {@code .lock}).
 */
public final class StateLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private StateLock() {
    }

    public static <T> T with(Path dir, Supplier<T> action) {
        ReentrantLock jvm = LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
        jvm.lock();
        Path lockFile = dir.resolve(".lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            return action.get();
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "state directory: cannot lock " + lockFile + " ("
                    + e.getClass().getSimpleName() + "); choose a writable one with --state-dir or GUEST_ATTEST_STATE_DIR", e);
        } finally {
            jvm.unlock();
        }
    }
}
