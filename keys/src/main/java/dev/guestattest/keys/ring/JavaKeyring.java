// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel keyring's semantics in-process, for Java programs that are not on Linux or do not
 * want the kernel: registered key types, keyrings, serial numbers unique among live keys,
 * constructions bounded in time, negative results cached briefly, and a key-count quota.
 * Thread-safe.
 */
public final class JavaKeyring implements AutoCloseable {
    private final Map<String, KeyType> types;
    private final Clock clock;
    private final Duration negativeTimeout;
    private final Duration constructionTimeout;
    private final int maxKeys;
    private final Map<Integer, Object> live = new ConcurrentHashMap<>(); // serial -> Key or Keyring
    private final AtomicInteger nextSerial = new AtomicInteger(new SecureRandom().nextInt(1 << 30) + 1);
    private final AtomicInteger keyCount = new AtomicInteger();
    private final ExecutorService constructors = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "guest-attest-key-construction");
        t.setDaemon(true);
        return t;
    });

    private JavaKeyring(Builder b) {
        this.types = Map.copyOf(b.types);
        this.clock = b.clock;
        this.negativeTimeout = b.negativeTimeout;
        this.constructionTimeout = b.constructionTimeout;
        this.maxKeys = b.maxKeys;
    }

    /** A keyring service with the user and logon types. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, KeyType> types = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private Duration negativeTimeout = Duration.ofSeconds(5);
        private Duration constructionTimeout = Duration.ofSeconds(30);
        private int maxKeys = 1000;

        private Builder() {
            for (KeyType t : List.of(KeyTypes.user(), KeyTypes.logon())) {
                types.put(t.name(), t);
            }
        }

        /** Registers a type; a second type of the same name is refused, as register_key_type does. */
        public Builder type(KeyType type) {
            if (types.putIfAbsent(type.name(), type) != null) {
                throw AttestationException.invalid("key type", "'" + type.name() + "' is already registered");
            }
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** How long a failed construction keeps failing requests for the same key (default 5 s). */
        public Builder negativeTimeout(Duration d) {
            this.negativeTimeout = positive("negative timeout", d);
            return this;
        }

        /** The bound on one construction (default 30 s); a construction that outlives it becomes a negative key. */
        public Builder constructionTimeout(Duration d) {
            this.constructionTimeout = positive("construction timeout", d);
            return this;
        }

        public Builder maxKeys(int n) {
            if (n < 1) {
                throw AttestationException.invalid("max keys", n + " must be at least 1");
            }
            this.maxKeys = n;
            return this;
        }

        public JavaKeyring build() {
            return new JavaKeyring(this);
        }

        private static Duration positive(String field, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw AttestationException.invalid(field, "must be positive, got " + d);
            }
            return d;
        }
    }

    public Keyring newKeyring(String name) {
        if (name.isEmpty()) {
            throw AttestationException.invalid("keyring name", "is empty");
        }
        Keyring ring = new Keyring(this, newSerial(), name);
        live.put(ring.serial(), ring);
        return ring;
    }

    /** The live key with that serial. */
    public Optional<Key> key(int serial) {
        return live.get(serial) instanceof Key k ? Optional.of(k) : Optional.empty();
    }

    public KeyType type(String name) {
        KeyType t = types.get(name);
        if (t == null) {
            throw AttestationException.invalid("key type", "'" + name + "' is not registered; known: " + String.join(", ", new java.util.TreeSet<>(types.keySet())));
        }
        return t;
    }

    Clock clock() {
        return clock;
    }

    Duration negativeTimeout() {
        return negativeTimeout;
    }

    Duration constructionTimeout() {
        return constructionTimeout;
    }

    /** A positive serial no live key or keyring holds. */
    int newSerial() {
        while (true) {
            int s = nextSerial.getAndUpdate(v -> v == Integer.MAX_VALUE ? 1 : v + 1);
            if (!live.containsKey(s)) {
                return s;
            }
        }
    }

    void reserve() {
        if (keyCount.get() >= maxKeys) {
            throw AttestationException.of(Reason.QUOTA_EXCEEDED, "the keyring holds its limit of " + maxKeys + " keys; unlink some first");
        }
    }

    void register(Key key) {
        live.put(key.serial(), key);
        keyCount.incrementAndGet();
    }

    void forget(Key key) {
        if (live.remove(key.serial(), key)) {
            keyCount.decrementAndGet();
        }
    }

    void checkPayload(KeyType type, int length) {
        if (length > type.maxPayload()) {
            throw AttestationException.tooLarge(type.name() + " key payload", length, type.maxPayload());
        }
        if (length == 0) {
            throw AttestationException.invalid(type.name() + " key payload", "is empty");
        }
    }

    /** Runs the type's constructor on a worker thread, bounded by the construction timeout. */
    byte[] construct(KeyType type, String description, String callout) {
        Future<byte[]> f = constructors.submit(() -> type.construct(description, callout));
        try {
            return f.get(constructionTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw AttestationException.of(Reason.TIMEOUT, type.name() + ":" + description + ": construction did not finish within "
                    + constructionTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted constructing " + type.name() + ":" + description);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AttestationException ae) {
                throw ae;
            }
            throw AttestationException.of(Reason.DEVICE_ERROR, type.name() + ":" + description + ": constructor failed: "
                    + e.getCause().getClass().getName());
        }
    }

    @Override
    public void close() {
        constructors.shutdownNow();
    }
}
