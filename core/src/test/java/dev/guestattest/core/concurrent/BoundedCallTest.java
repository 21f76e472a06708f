// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The bound on work that may block: its result, its failure, or a timeout that leaves the caller free and interrupts the work. */
class BoundedCallTest {
    @Test
    void aResultComesBackFromADaemonThreadOfItsName() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        assertThat(BoundedCall.within("bounded-test", Duration.ofSeconds(5), () -> {
            ran.set(Thread.currentThread());
            return 42;
        })).isEqualTo(42);
        assertThat(ran.get().getName()).isEqualTo("bounded-test");
        assertThat(ran.get().isDaemon()).isTrue();
    }

    @Test
    void whatTheWorkThrowsIsItsCause() {
        assertThatThrownBy(() -> BoundedCall.within("bounded-test", Duration.ofSeconds(5), () -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void workPastTheBoundTimesOutAndIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> BoundedCall.within("bounded-test", Duration.ofMillis(100), () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return 0;
        })).isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }
}
