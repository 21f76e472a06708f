// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.freshness;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nonces the appraiser issues: 32 random bytes, good once, within a lifetime. {@link #redeem}
 * removes the nonce atomically, so two appraisals racing on one nonce cannot both pass. At most
 * {@code capacity} nonces are outstanding; issuing beyond that first drops expired ones, then
 * refuses (BUSY) rather than grow without bound.
 */
public final class Nonces {
    public static final int SIZE = 32;

    /** Each outstanding nonce and when it was issued. */
    private final Map<Bytes, Instant> outstanding = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final Clock clock;
    private final Duration lifetime;
    private final int capacity;

    public Nonces(Duration lifetime, int capacity, SecureRandom random, Clock clock) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw AttestationException.invalid("nonce lifetime", lifetime + " must be positive");
        }
        if (capacity < 1) {
            throw AttestationException.invalid("nonce capacity", capacity + " must be at least 1");
        }
        this.lifetime = lifetime;
        this.capacity = capacity;
        this.random = random;
        this.clock = clock;
    }

    public Bytes issue() {
        if (outstanding.size() >= capacity) {
            dropExpired();
            if (outstanding.size() >= capacity) {
                throw AttestationException.of(Reason.BUSY, "nonces: " + capacity + " outstanding, the limit; retry later");
            }
        }
        byte[] b = new byte[SIZE];
        random.nextBytes(b);
        Bytes nonce = Bytes.of(b);
        outstanding.put(nonce, clock.instant());
        return nonce;
    }

    /** Uses a nonce up: true only for an issued, unexpired, not yet redeemed nonce. */
    public boolean redeem(Bytes nonce) {
        return redeemIssued(nonce).isPresent();
    }

    /** Uses a nonce up, as {@link #redeem}, and says when it was issued (a policy may want it younger than the lifetime). */
    public java.util.Optional<Instant> redeemIssued(Bytes nonce) {
        Instant issued = outstanding.remove(nonce);
        return issued != null && !clock.instant().isAfter(issued.plus(lifetime)) ? java.util.Optional.of(issued) : java.util.Optional.empty();
    }

    public int outstanding() {
        return outstanding.size();
    }

    private void dropExpired() {
        Instant now = clock.instant();
        for (Iterator<Map.Entry<Bytes, Instant>> it = outstanding.entrySet().iterator(); it.hasNext(); ) {
            if (now.isAfter(it.next().getValue().plus(lifetime))) {
                it.remove();
            }
        }
    }
}
