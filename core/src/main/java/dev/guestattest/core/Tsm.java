// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The vendor-neutral core: one provider slot, as the kernel's {@code tsm_report_register}
 * allows, and the report handles that use it. Not a global: its owner (the CLI, an application,
 * a test) creates it and registers the provider it picked.
 *
 * <p>Unlike the kernel's global rwsem (linux-abi.md §1.8), no lock is held across a provider call:
 * requests only count themselves in, so one slow quote never blocks other handles' writes, and
 * {@link #unregister} waits, bounded, for the requests in flight to drain.
 */
public final class Tsm {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final Duration handleWait;
    private ReportProvider provider;
    private boolean removing;
    private int inFlight;

    public Tsm() {
        this(DEFAULT_WAIT);
    }

    /** @param handleWait the bound on waiting for another reader of the same handle */
    public Tsm(Duration handleWait) {
        this.handleWait = Objects.requireNonNull(handleWait, "handleWait");
    }

    /** Takes the single provider slot; fails with PROVIDER_CONFLICT naming the current holder. */
    public void register(ReportProvider candidate) {
        Objects.requireNonNull(candidate, "provider");
        lock.lock();
        try {
            if (provider != null) {
                throw AttestationException.of(Reason.PROVIDER_CONFLICT, "provider: '" + provider.name()
                        + "' is already registered" + (removing ? " (being removed)" : "")
                        + "; unregister it before registering '" + candidate.name() + "'");
            }
            provider = candidate;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Releases the slot once the requests in flight have finished. New requests are refused from
     * the moment this is called. If they do not drain within {@code timeout}, the provider stays
     * registered and a TIMEOUT is thrown, so nothing changes on failure.
     */
    public void unregister(ReportProvider holder, Duration timeout) {
        lock.lock();
        try {
            if (provider != holder || removing) {
                throw AttestationException.of(Reason.PROVIDER_CONFLICT, "provider: '" + holder.name()
                        + "' is not the registered provider" + (removing ? " or is already being removed" : ""));
            }
            removing = true;
            long nanos = timeout.toNanos();
            try {
                while (inFlight > 0) {
                    if (nanos <= 0) {
                        throw AttestationException.of(Reason.TIMEOUT, "unregister: " + inFlight
                                + " request(s) still in flight after " + timeout.toMillis() + " ms; provider '"
                                + holder.name() + "' stays registered");
                    }
                    nanos = drained.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AttestationException.of(Reason.INTERRUPTED, "unregister: interrupted while waiting for requests to finish");
            } finally {
                if (inFlight > 0) {
                    removing = false;
                }
            }
            provider = null;
            removing = false;
        } finally {
            lock.unlock();
        }
    }

    /** The registered provider's name, if any. */
    public Optional<String> providerName() {
        lock.lock();
        try {
            return provider == null ? Optional.empty() : Optional.of(provider.name());
        } finally {
            lock.unlock();
        }
    }

    /** A new report item, the equivalent of {@code mkdir /sys/kernel/config/tsm/report/$name}. */
    public ReportHandle newHandle() {
        return new ReportHandle(this, handleWait);
    }

    /** One report on a private handle: write the inputs, read, check the generation. */
    public Report report(ReportRequest request) {
        ReportHandle handle = newHandle();
        long generation = handle.write(request);
        return handle.read(generation);
    }

    /** Counts a request in; fails when no provider is registered or it is being removed. */
    Lease acquire() {
        lock.lock();
        try {
            if (provider == null) {
                throw AttestationException.of(Reason.NO_PROVIDER,
                        "no attestation provider registered; register one (e.g. --provider tdx/emulated)");
            }
            if (removing) {
                throw AttestationException.of(Reason.NO_PROVIDER,
                        "provider '" + provider.name() + "' is being removed; no new requests are accepted");
            }
            inFlight++;
            return new Lease(provider);
        } finally {
            lock.unlock();
        }
    }

    /** The registered provider's floor, for early privlevel checks; empty with none registered. */
    Optional<ReportProvider> current() {
        lock.lock();
        try {
            return Optional.ofNullable(provider);
        } finally {
            lock.unlock();
        }
    }

    /** One request's hold on the provider; closing it lets {@link #unregister} proceed. */
    final class Lease implements AutoCloseable {
        private final ReportProvider provider;
        private boolean closed;

        private Lease(ReportProvider provider) {
            this.provider = provider;
        }

        ReportProvider provider() {
            return provider;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            lock.lock();
            try {
                if (--inFlight == 0) {
                    drained.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    static boolean tryLock(ReentrantLock l, Duration wait, String what) {
        try {
            if (!l.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw AttestationException.of(Reason.TIMEOUT, what + ": still busy after " + wait.toMillis() + " ms");
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, what + ": interrupted while waiting");
        }
    }
}
