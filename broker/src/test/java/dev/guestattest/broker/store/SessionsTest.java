// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attempt claims its session as it completes, in one commit: the first to finish spends the
 * nonce, and whatever a later or refused completion wrote is rolled back with it.
 */
class SessionsTest {
    private static final long NOW = 1_000_000L;
    @TempDir
    Path tmp;
    private Database db;
    private Sessions sessions;

    @BeforeEach
    void open() {
        db = Database.open(tmp.resolve("store").toString());
        sessions = new Sessions(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void challenge(String id, long expiresAt) {
        sessions.create(id, "tdx", "nonce-" + id, expiresAt, Optional.empty(), audit(id));
    }

    private Sessions.Completion complete(String id, String digest) {
        return sessions.attest(id, digest, "{\"kty\":\"EC\"}", "affirming", Optional.of("aa"), "token-" + id, NOW, NOW + 60_000, audit(id));
    }

    private static Audit.Entry audit(String id) {
        return new Audit.Entry(NOW, "test", "ok", Optional.of(id), Optional.of("tdx"), Optional.empty(), "127.0.0.1", "");
    }

    @Test
    void theFirstCompletionSpendsTheNonceAndALaterOneKeepsNothing() {
        challenge("s1", NOW + 60_000);
        assertThat(complete("s1", "d1")).isEqualTo(Sessions.Completion.ATTESTED);
        Sessions.Session s = sessions.find("s1").orElseThrow();
        assertThat(s.state()).isEqualTo(Sessions.State.ATTESTED);
        assertThat(s.teePubkey()).hasValue("{\"kty\":\"EC\"}");
        assertThat(s.measurement()).hasValue("aa");

        assertThat(complete("s1", "d2")).isEqualTo(Sessions.Completion.NONCE_SPENT);
        // d2's digest was rolled back with the refused completion: another session may still use it
        challenge("s2", NOW + 60_000);
        assertThat(complete("s2", "d2")).isEqualTo(Sessions.Completion.ATTESTED);
        assertThat(sessions.fail("s1", audit("s1"))).as("an attested session is not failed afterwards").isFalse();
        assertThat(sessions.find("s1").orElseThrow().state()).isEqualTo(Sessions.State.ATTESTED);
    }

    @Test
    void usedEvidenceIsAReplayAndSpendsNothingOfTheSession() {
        challenge("s1", NOW + 60_000);
        challenge("s2", NOW + 60_000);
        assertThat(complete("s1", "same")).isEqualTo(Sessions.Completion.ATTESTED);
        assertThat(complete("s2", "same")).isEqualTo(Sessions.Completion.EVIDENCE_REPLAYED);
        assertThat(sessions.find("s2").orElseThrow().state()).isEqualTo(Sessions.State.CHALLENGED);
        assertThat(sessions.fail("s2", audit("s2"))).isTrue();
        assertThat(sessions.find("s2").orElseThrow().state()).isEqualTo(Sessions.State.FAILED);
        assertThat(complete("s2", "fresh")).as("a failed session's nonce is spent").isEqualTo(Sessions.Completion.NONCE_SPENT);
    }

    @Test
    void anExpiredSessionCannotComplete() {
        challenge("old", NOW);
        assertThat(complete("old", "d")).isEqualTo(Sessions.Completion.NONCE_SPENT);
        assertThat(sessions.find("old").orElseThrow().state()).isEqualTo(Sessions.State.CHALLENGED);
    }

    @Test
    void ofManyRacingCompletionsExactlyOneAttests() throws Exception {
        challenge("race", NOW + 60_000);
        int racers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Sessions.Completion>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                String digest = "racer-" + i;
                results.add(pool.submit((Callable<Sessions.Completion>) () -> {
                    go.await(10, TimeUnit.SECONDS);
                    return complete("race", digest);
                }));
            }
            go.countDown();
            List<Sessions.Completion> outcomes = new ArrayList<>();
            for (Future<Sessions.Completion> f : results) {
                outcomes.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(outcomes).filteredOn(c -> c == Sessions.Completion.ATTESTED).hasSize(1);
            assertThat(outcomes).filteredOn(c -> c == Sessions.Completion.NONCE_SPENT).hasSize(racers - 1);
        } finally {
            pool.shutdownNow();
        }
    }
}
