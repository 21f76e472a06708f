// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.concurrent;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Work that must not hold its caller past a bound: a provider's report, a configfs probe, a DNS
 * lookup. It runs on a daemon thread of its own, so that a thread stuck in a syscall (which an
 * interrupt does not reach) neither blocks the caller nor keeps the JVM alive.
 */
public final class BoundedCall {
    private BoundedCall() {
    }

    /**
     * {@code work}'s result, computed on a daemon thread named {@code name}.
     *
     * @throws TimeoutException when it has not finished within {@code limit}; the thread is
     *         interrupted and left to end by itself
     * @throws ExecutionException with what {@code work} threw
     * @throws InterruptedException when the caller is interrupted while waiting (the work is interrupted too)
     */
    public static <T> T within(String name, Duration limit, Callable<T> work)
            throws TimeoutException, ExecutionException, InterruptedException {
        FutureTask<T> task = new FutureTask<>(work);
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        try {
            return task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            task.cancel(true);
            throw e;
        }
    }
}
