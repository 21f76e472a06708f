// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.freshness.Nonces;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NoncesTest {
    /** A clock the test moves. */
    static final class Moving extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aNonceIsGoodOnceAndOnlyWithinItsLifetime() {
        Moving clock = new Moving();
        Nonces n = new Nonces(Duration.ofMinutes(5), 100, new SecureRandom(), clock);
        Bytes a = n.issue();
        assertThat(a.length()).isEqualTo(32);
        assertThat(n.redeem(a)).isTrue();
        assertThat(n.redeem(a)).as("replayed").isFalse();
        assertThat(n.redeem(Bytes.zeros(32))).as("never issued").isFalse();
        Bytes b = n.issue();
        clock.now = clock.now.plus(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(n.redeem(b)).as("stale").isFalse();
        assertThat(n.outstanding()).isZero();
    }

    @Test
    void outstandingNoncesAreBoundedAndExpiredOnesMakeRoom() {
        Moving clock = new Moving();
        Nonces n = new Nonces(Duration.ofSeconds(10), 3, new SecureRandom(), clock);
        n.issue();
        n.issue();
        n.issue();
        assertThatThrownBy(n::issue).hasMessageContaining("3 outstanding, the limit");
        clock.now = clock.now.plusSeconds(11);
        assertThat(n.issue().length()).isEqualTo(32);
        assertThat(n.outstanding()).isEqualTo(1);
        assertThatThrownBy(() -> new Nonces(Duration.ZERO, 3, new SecureRandom(), clock)).hasMessageContaining("lifetime");
        assertThatThrownBy(() -> new Nonces(Duration.ofSeconds(1), 0, new SecureRandom(), clock)).hasMessageContaining("capacity");
    }

    @Test
    void underContentionEachNonceIsRedeemedExactlyOnce() throws Exception {
        Nonces n = new Nonces(Duration.ofMinutes(1), 10_000, new SecureRandom(), Clock.systemUTC());
        List<Bytes> issued = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            issued.add(n.issue());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            AtomicInteger wins = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    for (Bytes b : issued) {
                        if (n.redeem(b)) {
                            wins.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(wins.get()).isEqualTo(500);
        } finally {
            pool.shutdownNow();
        }
    }
}
