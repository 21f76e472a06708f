// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.BrokerException;
import dev.guestattest.broker.Refusal;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body without holding a thread while it arrives: reading stops when no bytes are
 * there and resumes, on a worker, when more come. The body must arrive whole within the deadline,
 * no slower than the minimum rate once past a second's grace, and within the size limit; otherwise
 * its outcome is a refusal (a body timeout, or too large). The outcome is handed on exactly once: the body's bytes, or a
 * supplier that throws that refusal.
 */
final class BodyReader implements Runnable {
    /** A body may start slowly (a TLS record, a client's first write) for this long before its rate counts. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Request request;
    private final BrokerConfig limits;
    private final int max;
    private final Consumer<Supplier<byte[]>> then;
    private final long started = System.nanoTime();
    private final AtomicBoolean done = new AtomicBoolean();
    private final ByteArrayOutputStream received;
    private volatile Scheduler.Task deadline;

    private BodyReader(Request request, BrokerConfig limits, int max, Consumer<Supplier<byte[]>> then) {
        this.request = request;
        this.limits = limits;
        this.max = max;
        this.then = then;
        this.received = new ByteArrayOutputStream((int) Math.max(0, Math.min(request.getLength(), max)));
    }

    /** Reads {@code request}'s body (at most {@code max} bytes) and hands {@code then} its outcome, on this thread or a worker. */
    static void read(Request request, BrokerConfig limits, int max, Consumer<Supplier<byte[]>> then) {
        long declared = request.getLength();
        if (declared > max) {
            then.accept(failure(Refusal.TOO_LARGE, "request body of " + declared + " bytes is over the " + max + "-byte limit"));
            return;
        }
        BodyReader r = new BodyReader(request, limits, max, then);
        r.deadline = request.getComponents().getScheduler().schedule(r::expire, limits.bodyDeadline().toMillis(), TimeUnit.MILLISECONDS);
        r.run();
    }

    @Override
    public void run() {
        try {
            readAvailable();
        } catch (RuntimeException e) {
            // Jetty refusing a read (the request already failed): an answer still, and no stack trace
            finish(failure(Refusal.BAD_REQUEST, "request body cannot be read: " + e.getClass().getSimpleName()));
        }
    }

    private void readAvailable() {
        while (!done.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this); // no thread waits: Jetty calls back when bytes arrive
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // the connection's idle timeout, or the client went away
                finish(failure(chunk.getFailure() instanceof java.util.concurrent.TimeoutException ? Refusal.BODY_TIMEOUT : Refusal.BAD_REQUEST,
                        "request body cannot be read: " + chunk.getFailure().getClass().getSimpleName()));
                return;
            }
            boolean last = chunk.isLast();
            try {
                ByteBuffer b = chunk.getByteBuffer();
                if (received.size() + (long) b.remaining() > max) {
                    finish(failure(Refusal.TOO_LARGE, "request body is over the " + max + "-byte limit"));
                    return;
                }
                byte[] part = new byte[b.remaining()];
                b.get(part);
                received.write(part, 0, part.length);
            } finally {
                chunk.release();
            }
            if (last) {
                finish(() -> received.toByteArray());
                return;
            }
            long elapsed = System.nanoTime() - started;
            long due = (long) ((elapsed - GRACE_NANOS) / 1e9 * limits.minBodyBytesPerSecond());
            if (received.size() < due) {
                finish(failure(Refusal.BODY_TIMEOUT, "request body arrives at " + (long) (received.size() / (elapsed / 1e9)) + " bytes/s, under the minimum of "
                        + limits.minBodyBytesPerSecond() + " bytes/s"));
                return;
            }
        }
    }

    /** The deadline passed: answered on a worker, as the outcome may touch the store and the scheduler's one thread must not wait on it. */
    private void expire() {
        if (done.compareAndSet(false, true)) {
            request.getComponents().getExecutor().execute(() -> then.accept(failure(Refusal.BODY_TIMEOUT, "request body did not arrive whole within "
                    + limits.bodyDeadline().toMillis() + " ms")));
        }
    }

    private void finish(Supplier<byte[]> outcome) {
        if (done.compareAndSet(false, true)) {
            Scheduler.Task t = deadline;
            if (t != null) {
                t.cancel();
            }
            then.accept(outcome);
        }
    }

    private static Supplier<byte[]> failure(Refusal refusal, String why) {
        BrokerException e = new BrokerException(refusal, why);
        return () -> {
            throw e;
        };
    }
}
