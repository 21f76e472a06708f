// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import dev.guestattest.core.codec.Bytes;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A report item with configfs-tsm semantics (linux-abi.md §1.4-1.5): every accepted input write
 * bumps the generation by one; outputs are generated lazily on the first read and cached until the
 * next write; a reader that passes the generation it expects learns when another writer changed
 * the inputs in between. Thread-safe: several threads may share one handle.
 */
public final class ReportHandle {
    private final Tsm tsm;
    private final Duration wait;
    private final Object state = new Object();
    /** Serializes generation for this handle so concurrent readers of one generation share one result. */
    private final ReentrantLock generating = new ReentrantLock();

    private ReportRequest inputs = ReportRequest.builder().build();
    private long writeGeneration;
    private long readGeneration;
    private Report cached;

    ReportHandle(Tsm tsm, Duration wait) {
        this.tsm = tsm;
        this.wait = wait;
    }

    /** The number of accepted writes so far. */
    public long generation() {
        synchronized (state) {
            return writeGeneration;
        }
    }

    public long writeInblob(byte[] inblob) {
        Bytes value = Bytes.of(inblob);
        return update(current -> current.toBuilder().inblob(value).build());
    }

    public long writePrivlevel(int privlevel) {
        if (privlevel < 0 || privlevel > ReportRequest.PRIVLEVEL_MAX) {
            throw AttestationException.invalid("privlevel", privlevel + " is outside 0.." + ReportRequest.PRIVLEVEL_MAX);
        }
        Optional<ReportProvider> p = tsm.current();
        if (p.isPresent() && privlevel < p.get().privlevelFloor()) {
            throw belowFloor(privlevel, p.get());
        }
        return update(current -> current.toBuilder().privlevel(privlevel).build());
    }

    public long writeServiceProvider(String name) {
        return update(current -> current.toBuilder().serviceProvider(name).build());
    }

    public long writeServiceGuid(UUID guid) {
        return update(current -> current.toBuilder().serviceGuid(guid).build());
    }

    public long writeServiceManifestVersion(long version) {
        return update(current -> current.toBuilder().serviceManifestVersion(version).build());
    }

    /** Writes every input of {@code request} (one write per attribute) and returns the resulting generation. */
    public long write(ReportRequest request) {
        synchronized (state) {
            long g = writeInblob(request.inblob().toArray());
            g = writePrivlevel(request.privlevel());
            if (request.serviceProvider().isPresent()) {
                g = writeServiceProvider(request.serviceProvider().get());
            }
            if (request.serviceGuid().isPresent()) {
                g = writeServiceGuid(request.serviceGuid().get());
            }
            if (request.serviceManifestVersion() != 0) {
                g = writeServiceManifestVersion(request.serviceManifestVersion());
            }
            return g;
        }
    }

    private long update(java.util.function.UnaryOperator<ReportRequest> change) {
        synchronized (state) {
            // The kernel's wrap guard: refuse a write that would make stale outputs look current.
            if (writeGeneration == readGeneration - 1) {
                throw AttestationException.of(Reason.BUSY, "generation: counter would wrap onto the cached report; read it first");
            }
            ReportRequest next = change.apply(inputs);
            inputs = next;
            return ++writeGeneration;
        }
    }

    /** The report for the current inputs, generated now if the cached one is stale. */
    public Report read() {
        Report fast = cachedIfCurrent();
        if (fast != null) {
            return fast;
        }
        Tsm.tryLock(generating, wait, "report handle");
        try {
            ReportRequest snapshot;
            long generation;
            synchronized (state) {
                Report again = cachedIfCurrent();
                if (again != null) {
                    return again;
                }
                snapshot = inputs;
                generation = writeGeneration;
            }
            Report report;
            try (Tsm.Lease lease = tsm.acquire()) {
                ReportProvider provider = lease.provider();
                ReportRequest checked = provider.inputRules().apply(provider.name(), snapshot);
                if (checked.privlevel() < provider.privlevelFloor()) {
                    throw belowFloor(checked.privlevel(), provider);
                }
                report = Report.of(provider.report(checked), provider.name(), generation);
            }
            synchronized (state) {
                if (writeGeneration == generation) {
                    cached = report;
                    readGeneration = generation;
                }
            }
            return report;
        } finally {
            generating.unlock();
        }
    }

    /**
     * Reads the report only if the inputs are still those of {@code expectedGeneration}; fails with
     * GENERATION_CHANGED when another writer got in between.
     */
    public Report read(long expectedGeneration) {
        long now = generation();
        if (now != expectedGeneration) {
            throw changed(expectedGeneration, now);
        }
        Report report = read();
        long after = generation(); // re-read after the outputs, as the configfs protocol does
        if (report.generation() != expectedGeneration || after != expectedGeneration) {
            throw changed(expectedGeneration, after);
        }
        return report;
    }

    /**
     * Writes {@code request} and reads its report, retrying up to {@code maxAttempts} times while
     * other writers keep changing the inputs (the documented conflict protocol for shared items).
     */
    public Report generate(ReportRequest request, int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw AttestationException.invalid("maxAttempts", maxAttempts + " is outside 1..100");
        }
        AttestationException last = null;
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            long generation = write(request);
            try {
                return read(generation);
            } catch (AttestationException e) {
                if (e.reason() != Reason.GENERATION_CHANGED) {
                    throw e;
                }
                last = e;
            }
        }
        throw AttestationException.of(Reason.GENERATION_CHANGED, "generation: inputs were changed by another writer on each of "
                + maxAttempts + " attempts; use a private handle", last);
    }

    private Report cachedIfCurrent() {
        synchronized (state) {
            if (inputs.inblob().length() == 0) {
                throw AttestationException.invalid("inblob", "empty; write 1..64 bytes of caller data before reading");
            }
            return cached != null && readGeneration == writeGeneration ? cached : null;
        }
    }

    private static AttestationException changed(long expected, long actual) {
        return AttestationException.of(Reason.GENERATION_CHANGED,
                "generation: expected " + expected + " but another writer moved it to " + actual);
    }

    private static AttestationException belowFloor(int privlevel, ReportProvider p) {
        return AttestationException.invalid("privlevel", privlevel + " is below provider '" + p.name()
                + "' floor of " + p.privlevelFloor() + " (allowed " + p.privlevelFloor() + ".." + ReportRequest.PRIVLEVEL_MAX + ")");
    }
}
