// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.fetch.HttpFetch;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * One collateral cache for every TEE: items are looked up in memory, then in the store (shared by
 * every broker on one database), then in read-only directories (air-gapped sites), and only then
 * fetched from their origin, verified, and kept. Freshness is each document's own (nextUpdate,
 * CRL dates, notAfter). Concurrent requests for one item make one fetch; a failed fetch is
 * remembered for a while (a throttled or unknown platform is not asked again on every request);
 * an item past its freshness is refused unless a grace period is configured, and a result used
 * within it says so. Thread-safe.
 */
public final class CollateralService {
    private static final System.Logger LOG = System.getLogger("dev.guestattest.collateral");
    private static final int MAX_ENTRIES = 10_000;

    private final Origins origins;
    private final CollateralStore store;
    private final List<CollateralStore> directories;
    private final Clock clock;
    private final Duration grace;
    private final Duration failureBackoff;
    private final Duration refreshAhead;
    private final Duration waitLimit;
    private final Fetcher fetcher;
    private final Map<String, Entry> memory = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Entry>> inflight = new ConcurrentHashMap<>();
    private final Map<String, Memo> failed = new ConcurrentHashMap<>();
    private final LongAdder fetches = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);

    /** A checked item held in memory, with how it was had. */
    private record Entry(Object value, Instant freshUntil, Instant fetchedAt, String source, CollateralItem<?> item) {
    }

    /** A failed fetch not to be repeated before {@code until}. */
    private record Memo(FetchFailed failure, Instant until) {
    }

    /**
     * An item as the service had it: the checked value, until when it is fresh, where it came
     * from, and whether it is past its freshness and used only within the configured grace period.
     */
    public record Collected<T>(T value, Instant freshUntil, Instant fetchedAt, String source, boolean withinGrace) {
    }

    /** What the service has done since it started, for metrics. */
    public record Stats(long fetches, long hits, Map<Failure, Long> failures, int items, Optional<Duration> oldestItemAge) {
    }

    private CollateralService(Builder b) {
        this.origins = b.origins;
        this.store = b.store;
        this.directories = List.copyOf(b.directories);
        this.clock = b.clock;
        this.grace = b.grace;
        this.failureBackoff = b.failureBackoff;
        this.refreshAhead = b.refreshAhead;
        this.fetcher = new Fetcher(b.timeout, b.attempts, b.retryBudget);
        this.waitLimit = b.timeout.multipliedBy(b.attempts).plus(b.retryBudget).plusSeconds(5);
        for (Failure f : Failure.values()) {
            failures.put(f, new LongAdder());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No origins, no store: only what the evidence itself brings. One instance: it holds nothing. */
    public static CollateralService offline() {
        return Offline.INSTANCE;
    }

    private static final class Offline {
        static final CollateralService INSTANCE = builder().origins(Origins.none()).build();
    }

    public static final class Builder {
        private Origins origins = Origins.vendors();
        private CollateralStore store = CollateralStore.none();
        private final List<CollateralStore> directories = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Duration grace = Duration.ZERO;
        private Duration timeout = Duration.ofSeconds(20);
        private int attempts = 4;
        private Duration retryBudget = Duration.ofSeconds(30);
        private Duration failureBackoff = Duration.ofSeconds(30);
        private Duration refreshAhead = Duration.ofHours(6);

        private Builder() {
        }

        /** The services to fetch from (default: Intel's PCS and AMD's KDS). */
        public Builder origins(Origins o) {
            this.origins = o;
            return this;
        }

        /** Where checked documents are kept (default: nowhere beyond this process's memory). */
        public Builder store(CollateralStore s) {
            this.store = s;
            return this;
        }

        /** A read-only directory as {@code collateral fetch --out} writes it, consulted before any origin. */
        public Builder directory(java.nio.file.Path dir) {
            this.directories.add(new DirectoryStore(dir));
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** How long past its freshness an item may still be used when no fresh copy can be had (default none). */
        public Builder grace(Duration g) {
            this.grace = nonNegative("collateral grace", g);
            return this;
        }

        /** Connect and answer timeout of one request (default 20 s). */
        public Builder timeout(Duration t) {
            this.timeout = positive("collateral timeout", t);
            return this;
        }

        /** Throttled (429/503) requests: at most {@code attempts} tries waiting at most {@code budget} in all (default 4, 30 s). */
        public Builder retries(int attempts, Duration budget) {
            if (attempts < 1 || attempts > 20) {
                throw AttestationException.invalid("collateral attempts", attempts + " is outside 1..20");
            }
            this.attempts = attempts;
            this.retryBudget = nonNegative("collateral retry budget", budget);
            return this;
        }

        /** How long a failed fetch is not repeated, unless the service asked for longer (default 30 s). */
        public Builder failureBackoff(Duration d) {
            this.failureBackoff = nonNegative("collateral failure backoff", d);
            return this;
        }

        /** How long before an item stops being fresh {@link #refreshDue()} replaces it (default 6 h). */
        public Builder refreshAhead(Duration d) {
            this.refreshAhead = nonNegative("collateral refresh", d);
            return this;
        }

        public CollateralService build() {
            return new CollateralService(this);
        }

        private static Duration nonNegative(String what, Duration d) {
            if (d.isNegative()) {
                throw AttestationException.invalid(what, d + " is negative");
            }
            return d;
        }

        private static Duration positive(String what, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw AttestationException.invalid(what, d + " must be positive");
            }
            return d;
        }
    }

    public Origins origins() {
        return origins;
    }

    /** Whether it has nowhere to get anything from (no origin, store or directory), as {@link #offline()}: callers can skip asking. */
    public boolean fetchesNothing() {
        return origins.bases().isEmpty() && store == CollateralStore.none() && directories.isEmpty();
    }

    /** Whether read-only directories of collateral are configured (an air-gapped site's copy). */
    public boolean hasDirectories() {
        return !directories.isEmpty();
    }

    public Duration grace() {
        return grace;
    }

    /**
     * The item, fresh: from memory, the store, a directory, or fetched and checked now. A stale copy
     * is used only within the grace period; otherwise the failure says what happened (unreachable,
     * unknown platform, throttled, refused document, stale) and what was cached.
     */
    public <T> Collected<T> get(CollateralItem<T> item) {
        Instant now = clock.instant();
        Entry e = memory.get(item.key());
        if (e != null && now.isBefore(e.freshUntil())) {
            hits.increment();
            return collected(e, false);
        }
        Entry got = once(item, now);
        return collected(got, !now.isBefore(got.freshUntil()));
    }

    @SuppressWarnings("unchecked")
    private static <T> Collected<T> collected(Entry e, boolean withinGrace) {
        return new Collected<>((T) e.value(), e.freshUntil(), e.fetchedAt(), e.source(), withinGrace);
    }

    /** Loads {@code item} once for all concurrent callers. */
    private Entry once(CollateralItem<?> item, Instant horizon) {
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        CompletableFuture<Entry> running = inflight.putIfAbsent(item.key(), mine);
        if (running != null) {
            Entry e = await(running, item);
            hits.increment(); // had without a fetch of its own
            return e;
        }
        try {
            Entry e = load(item, horizon);
            mine.complete(e);
            return e;
        } catch (RuntimeException ex) {
            mine.completeExceptionally(ex);
            throw ex;
        } finally {
            inflight.remove(item.key(), mine);
        }
    }

    private Entry await(CompletableFuture<Entry> running, CollateralItem<?> item) {
        try {
            return running.get(waitLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException r ? r : new IllegalStateException(ex.getCause());
        } catch (TimeoutException ex) {
            throw AttestationException.of(Reason.TIMEOUT, "another request has been fetching the " + item.what() + " for over "
                    + waitLimit.toSeconds() + " s");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted waiting for the " + item.what());
        }
    }

    /** The first copy fresh beyond {@code horizon}: memory, store, directories, then the origin; else the failure. */
    private Entry load(CollateralItem<?> item, Instant horizon) {
        Instant now = clock.instant();
        Entry best = memory.get(item.key());
        if (best != null && best.freshUntil().isAfter(horizon)) {
            return best;
        }
        for (CollateralStore s : sources()) {
            Optional<Entry> e = s.get(item.key()).flatMap(d -> reopen(item, d, s == store ? "cache" : "directory"));
            if (e.isPresent() && (best == null || e.get().freshUntil().isAfter(best.freshUntil()))) {
                best = e.get();
            }
            if (best != null && best.freshUntil().isAfter(horizon)) {
                hits.increment();
                return remember(best);
            }
        }
        try {
            Entry fetched = store.exclusively(item.key(), () -> fetchedElsewhere(item, horizon).orElseGet(() -> fetch(item, now)));
            failed.remove(item.key());
            return remember(fetched);
        } catch (FetchFailed f) {
            if (best != null && now.isBefore(best.freshUntil())) {
                LOG.log(System.Logger.Level.WARNING, "could not refresh the " + item.what() + " ahead of time: " + f.getMessage());
                return remember(best);
            }
            if (best != null && now.isBefore(best.freshUntil().plus(grace))) {
                LOG.log(System.Logger.Level.WARNING, "using the " + item.what() + " past its freshness (" + best.freshUntil()
                        + ") within the grace period: " + f.getMessage());
                return remember(best);
            }
            String cached = best == null ? "; no copy is cached" : "; the cached copy went stale at " + best.freshUntil()
                    + (grace.isZero() ? "" : " (grace " + grace + " also passed)");
            throw AttestationException.of(best == null ? f.failure().reason() : Reason.KEY_EXPIRED, f.getMessage() + cached);
        }
    }

    /** A copy another process sharing the store fetched while this one waited for its turn. */
    private Optional<Entry> fetchedElsewhere(CollateralItem<?> item, Instant horizon) {
        Optional<Entry> e = store.get(item.key()).flatMap(d -> reopen(item, d, "cache")).filter(x -> x.freshUntil().isAfter(horizon));
        e.ifPresent(x -> hits.increment());
        return e;
    }

    private List<CollateralStore> sources() {
        List<CollateralStore> all = new ArrayList<>();
        all.add(store);
        all.addAll(directories);
        return all;
    }

    private Optional<Entry> reopen(CollateralItem<?> item, Document d, String where) {
        try {
            CollateralItem.Checked<?> c = item.open(d);
            return Optional.of(new Entry(c.value(), c.freshUntil(), d.fetchedAt(), where + " (fetched " + d.fetchedAt() + " from "
                    + d.source() + ")", item));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring the cached " + item.what() + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private Entry fetch(CollateralItem<?> item, Instant now) {
        Memo memo = failed.get(item.key());
        if (memo != null && now.isBefore(memo.until())) {
            throw new FetchFailed(memo.failure().failure(), memo.failure().getMessage() + " (not asked again before " + memo.until() + ")");
        }
        try {
            URI uri = item.location(origins).orElseThrow(() -> new FetchFailed(Failure.NO_SOURCE, "the " + item.what()
                    + " is not at hand and no service to fetch it from is configured"));
            fetches.increment();
            HttpFetch.Response r = fetcher.get(uri, item.what());
            Map<String, String> kept = new LinkedHashMap<>();
            for (String h : item.headers()) {
                r.header(h).ifPresent(v -> kept.put(h, v));
            }
            Document d = new Document(item.key(), uri.toString(), now, now, kept, r.body());
            CollateralItem.Checked<?> c;
            try {
                c = item.open(d);
            } catch (RuntimeException e) { // a check that cannot read the document refuses it, whatever it throws
                throw new FetchFailed(Failure.BAD_DOCUMENT, "the " + item.what() + " from " + uri + " was refused and not cached: "
                        + (e instanceof AttestationException ? e.getMessage() : "unreadable (" + e.getClass().getSimpleName() + ")"));
            }
            store.put(d.withFreshUntil(c.freshUntil()));
            return new Entry(c.value(), c.freshUntil(), now, "fetched " + now + " from " + uri, item);
        } catch (FetchFailed f) {
            failures.get(f.failure()).increment(); // a fetch tried, or none to try: not a remembered failure repeated
            if (f.failure() != Failure.NO_SOURCE) {
                Duration wait = f.retryAfter().filter(d -> d.compareTo(failureBackoff) > 0).orElse(failureBackoff);
                failed.put(item.key(), new Memo(f, now.plus(wait)));
            }
            throw f;
        }
    }

    private Entry remember(Entry e) {
        if (memory.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            memory.values().removeIf(x -> !now.isBefore(x.freshUntil()));
        }
        if (memory.size() < MAX_ENTRIES) {
            memory.put(e.item().key(), e);
        }
        return e;
    }

    /**
     * Replaces every item held in memory that stops being fresh within the refresh window, so that
     * requests never wait for a fetch; a failure leaves the current copy in place. Returns how many
     * were replaced.
     */
    public int refreshDue() {
        Instant horizon = clock.instant().plus(refreshAhead);
        int replaced = 0;
        for (Entry e : List.copyOf(memory.values())) {
            if (e.freshUntil().isAfter(horizon)) {
                continue;
            }
            try {
                if (once(e.item(), horizon) != e) {
                    replaced++;
                }
            } catch (AttestationException ex) {
                LOG.log(System.Logger.Level.WARNING, "could not refresh the " + e.item().what() + ": " + ex.getMessage());
            }
        }
        return replaced;
    }

    /** Runs {@link #refreshDue()} every {@code period} on a daemon thread until the returned handle is closed. */
    public AutoCloseable refreshEvery(Duration period) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "collateral-refresh");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(this::refreshDue, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return s::shutdownNow;
    }

    public Stats stats() {
        Map<Failure, Long> f = new EnumMap<>(Failure.class);
        failures.forEach((k, v) -> f.put(k, v.sum()));
        Instant now = clock.instant();
        Optional<Duration> oldest = memory.values().stream().map(Entry::fetchedAt).min(Instant::compareTo).map(t -> Duration.between(t, now));
        return new Stats(fetches.sum(), hits.sum(), f, memory.size(), oldest);
    }
}
