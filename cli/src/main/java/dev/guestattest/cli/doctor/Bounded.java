// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import dev.guestattest.core.concurrent.BoundedCall;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs one probe with a deadline. configfs takes a kernel-wide lock that a slow TDX quote holds for
 * up to 30 s in uninterruptible sleep, and DNS or vsock can stall too: no probe may hang doctor.
 */
final class Bounded {
    private Bounded() {
    }

    /**
     * {@code work}'s result, or {@code late}'s when it has not finished within {@code limit}. A late
     * probe's thread is a daemon left blocked in its syscall: it cannot be interrupted there, and
     * must not keep the JVM alive.
     */
    static <T> T within(Duration limit, String name, Supplier<T> work, Supplier<T> late) {
        try {
            return BoundedCall.within("doctor-" + name, limit, work::get);
        } catch (TimeoutException e) {
            return late.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return late.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
