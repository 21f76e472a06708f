// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client token buckets: {@code rate} requests per second with a burst (twice the rate unless
 * given). The table is bounded: past {@code maxClients} it first forgets full buckets (idle
 * clients), then refuses new clients, rather than grow without limit under a flood of addresses.
 */
final class RateLimiter {
    private final double rate;
    private final double burst;
    private final int maxClients;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }

    RateLimiter(int perSecond, int maxClients) {
        this(perSecond, 2.0 * perSecond, maxClients);
    }

    /** {@code perSecond} may be below 1: a budget of {@code burst} that refills slowly (failures, audit samples). */
    RateLimiter(double perSecond, double burst, int maxClients) {
        this.rate = perSecond;
        this.burst = burst;
        this.maxClients = maxClients;
    }

    boolean tryAcquire(String client, long nanos) {
        if (!buckets.containsKey(client) && buckets.size() >= maxClients) {
            forgetIdle(nanos);
            if (buckets.size() >= maxClients) {
                return false;
            }
        }
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, nanos));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (nanos - b.last) / 1e9 * rate);
            b.last = nanos;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }

    /** Whether {@code client} has no token left, without taking one: for budgets charged only when something fails. */
    boolean exhausted(String client, long nanos) {
        Bucket b = buckets.get(client);
        if (b == null) {
            return false;
        }
        synchronized (b) {
            return Math.min(burst, b.tokens + (nanos - b.last) / 1e9 * rate) < 1;
        }
    }

    private void forgetIdle(long nanos) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Bucket b = it.next().getValue();
            synchronized (b) {
                if (b.tokens + (nanos - b.last) / 1e9 * rate >= burst) {
                    it.remove();
                }
            }
        }
    }
}
