// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Group commit: every write goes through one writer thread, which runs the writes waiting at that
 * moment in one transaction (each under its own savepoint, so one write's failure, such as a
 * replayed evidence digest, leaves the others alone) and commits once. A caller gets its answer only
 * after that commit: an acknowledged write is durable, yet a busy broker pays one commit per batch
 * rather than per write. The embedded store serializes commits, which made this the broker's limit.
 */
final class GroupCommit implements AutoCloseable {
    /** One write: statements on the batch's connection; its result is returned to the caller after the commit. */
    interface Write<T> {
        T run(Connection c) throws SQLException;
    }

    private record Pending<T>(Write<T> write, CompletableFuture<T> done) {
    }

    static final int MAX_BATCH = 256;
    static final long WAIT_SECONDS = 10;

    private final DataSource pool;
    private final BlockingQueue<Pending<?>> queue = new ArrayBlockingQueue<>(16_384);
    private final Thread writer;
    private volatile boolean closed;

    GroupCommit(DataSource pool, String name) {
        this.pool = pool;
        this.writer = new Thread(this::loop, name + "-writer");
        writer.setDaemon(true);
        writer.start();
    }

    <T> T write(Write<T> w) throws SQLException {
        if (closed) {
            throw new SQLException("the store is closed");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        if (!queue.offer(new Pending<>(w, done))) {
            throw AttestationException.of(Reason.BUSY, "the store's write queue is full; retry later");
        }
        try {
            return done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new SQLException(e.getCause());
        } catch (TimeoutException e) {
            throw AttestationException.of(Reason.TIMEOUT, "the store did not commit within " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted while waiting for the store");
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>();
        while (!closed) {
            try {
                Pending<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                break;
            } finally {
                batch.clear();
            }
        }
        for (Pending<?> p; (p = queue.poll()) != null; ) {
            p.done().completeExceptionally(new SQLException("the store is closed"));
        }
    }

    private void runBatch(List<Pending<?>> batch) {
        List<Object> results = new ArrayList<>(batch.size());
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Pending<?> p : batch) {
                    Savepoint sp = c.setSavepoint();
                    try {
                        results.add(p.write().run(c));
                        c.releaseSavepoint(sp);
                    } catch (SQLException | RuntimeException e) {
                        // only this write is undone: an unchecked failure of one caller's write must not fail the batch
                        c.rollback(sp);
                        results.add(e instanceof SQLException s ? s : new SQLException(e));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            SQLException failure = e instanceof SQLException s ? s : new SQLException(e);
            batch.forEach(p -> p.done().completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Pending<T> p, Object result) {
        if (result instanceof SQLException e) {
            p.done().completeExceptionally(e);
        } else {
            p.done().complete((T) result);
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
