// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Vendor verifiers kept for verifications at "now", one per configuration, so that what they
 * checked once (chains, CRLs, collateral signatures) is not checked again for every evidence; a
 * verification at another instant gets a verifier of its own fixed at it. Bounded; thread-safe.
 *
 * @param <K> the configuration a verifier is made for (its extra roots, grace, CRLs)
 * @param <V> the verifier
 */
public final class WarmVerifiers<K, V> {
    /** How far from the wall clock an instant may be and still count as "now". */
    private static final Duration NOW = Duration.ofSeconds(5);
    private static final int MAX = 64;

    private final Map<K, V> current = new ConcurrentHashMap<>();
    private final BiFunction<Clock, K, V> make;

    /** {@code make}: a verifier for a configuration on a clock. */
    public WarmVerifiers(BiFunction<Clock, K, V> make) {
        this.make = make;
    }

    public V at(Instant at, K key) {
        if (Duration.between(at, Instant.now()).abs().compareTo(NOW) <= 0) {
            if (current.size() >= MAX) {
                current.clear();
            }
            return current.computeIfAbsent(key, k -> make.apply(Clock.systemUTC(), k));
        }
        return make.apply(Clock.fixed(at, ZoneOffset.UTC), key);
    }
}
