// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.keys.Attester;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JavaKeyringTest {
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile RuntimeException failWith;

    /** Evidence "ev:" + hex(inblob), after the gate opens; counts provider calls. */
    private final Attester attester = request -> {
        calls.incrementAndGet();
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failWith != null) {
            throw failWith;
        }
        return new Report(Bytes.of(("ev:" + request.inblob().hex()).getBytes(StandardCharsets.US_ASCII)), Bytes.EMPTY, Bytes.EMPTY,
                "test", 1);
    };

    private final JavaKeyring keys = JavaKeyring.builder().type(KeyTypes.guestAttest(attester)).clock(clock)
            .negativeTimeout(Duration.ofSeconds(5)).constructionTimeout(Duration.ofSeconds(2)).build();
    private final Keyring ring = keys.newKeyring("session");

    @AfterEach
    void close() {
        keys.close();
    }

    private static String evidenceFor(String data) {
        byte[] inblob = new byte[64];
        byte[] d = data.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, inblob, 0, d.length);
        return "ev:" + Bytes.of(inblob).hex();
    }

    @Test
    void aRequestThatMissesConstructsTheEvidenceAndTheNextOneHits() {
        Key k = ring.request("guest_attest", "guest_attest:0:1", "aGVsbG8=");
        assertThat(new String(k.read(), StandardCharsets.US_ASCII)).isEqualTo(evidenceFor("hello"));
        assertThat(k.state()).isEqualTo(KeyState.INSTANTIATED);
        assertThat(k.serial()).isPositive();
        assertThat(keys.key(k.serial())).containsSame(k);
        assertThat(ring.request("guest_attest", "guest_attest:0:1", "b3RoZXI=")).isSameAs(k);
        assertThat(ring.find("guest_attest", "guest_attest:0:1")).containsSame(k);
        assertThat(calls).hasValue(1);
        assertThat(k).hasToString("key " + k.serial() + " guest_attest:guest_attest:0:1");
    }

    @Test
    void manyConcurrentRequestsForOneDescriptionMakeOneProviderCallAndOneKey() throws Exception {
        gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Key>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> ring.request("guest_attest", "guest_attest:0:9", "YQ==")));
            }
            Thread.sleep(100); // let the requests pile up behind the one construction
            gate.countDown();
            Set<Integer> serials = new HashSet<>();
            for (Future<Key> f : results) {
                serials.add(f.get(10, TimeUnit.SECONDS).serial());
            }
            assertThat(serials).hasSize(1);
            assertThat(calls).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentRequestsForDifferentDescriptionsEachGetTheirOwnKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Key>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int id = i;
                results.add(pool.submit(() -> ring.request("guest_attest", "guest_attest:0:" + id, "YQ==")));
            }
            Set<Integer> serials = new HashSet<>();
            for (Future<Key> f : results) {
                serials.add(f.get(10, TimeUnit.SECONDS).serial());
            }
            assertThat(serials).hasSize(50);
            assertThat(calls).hasValue(50);
            assertThat(ring.keys()).hasSize(50);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedConstructionIsCachedAsANegativeKeyForTheNegativeTimeout() {
        failWith = AttestationException.of(Reason.DEVICE_ERROR, "quote service down");
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:0:2", "YQ=="))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR))
                .hasMessageContaining("is negative until").hasMessageContaining("quote service down");
        failWith = null;
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:0:2", "YQ==")).hasMessageContaining("quote service down");
        assertThat(calls).as("the negative key answered the second request").hasValue(1);
        assertThat(ring.keys()).singleElement().satisfies(k -> assertThat(k.state()).isEqualTo(KeyState.NEGATIVE));
        clock.advance(Duration.ofSeconds(5));
        assertThat(ring.request("guest_attest", "guest_attest:0:2", "YQ==").state()).isEqualTo(KeyState.INSTANTIATED);
        assertThat(calls).hasValue(2);
    }

    @Test
    void aConstructionThatHangsBecomesATimeoutWithinTheBound() {
        gate = new CountDownLatch(1); // never opened
        long start = System.nanoTime();
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:0:3", "YQ=="))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("did not finish within 2000 ms");
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(2_000L, 5_000L);
    }

    @Test
    void badDescriptionsAndCalloutsNeverReachTheProvider() {
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:9:1", "YQ==")).hasMessageStartingWith("description level: '9'");
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:0:x", "YQ==")).hasMessageStartingWith("description id: 'x'");
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:0:4", "!!!")).hasMessageContaining("callout: not base64");
        assertThatThrownBy(() -> ring.request("nosuch", "a", "YQ==")).hasMessage("key type: 'nosuch' is not registered; known: "
                + "guest_attest, logon, user");
        assertThat(calls).hasValue(0);
    }

    @Test
    void revokedKeysFailUntilUnlinkedAndTheirPayloadIsGone() {
        Key k = ring.request("guest_attest", "guest_attest:0:5", "YQ==");
        k.revoke();
        assertThat(k.state()).isEqualTo(KeyState.REVOKED);
        assertThatThrownBy(k::read).isInstanceOfSatisfying(AttestationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.KEY_REVOKED));
        assertThatThrownBy(() -> ring.request("guest_attest", "guest_attest:0:5", "YQ==")).hasMessageContaining("was revoked; unlink it first");
        assertThat(ring.unlink(k)).isTrue();
        assertThat(keys.key(k.serial())).isEmpty();
        assertThat(ring.request("guest_attest", "guest_attest:0:5", "YQ==").serial()).isNotEqualTo(k.serial());
    }

    @Test
    void keysExpireAndARequestThenConstructsAFreshOne() {
        Key k = ring.request("guest_attest", "guest_attest:0:6", "YQ==");
        k.setTimeout(Duration.ofSeconds(60));
        assertThat(k.expiry()).contains(clock.instant().plusSeconds(60));
        clock.advance(Duration.ofSeconds(60));
        assertThat(k.state()).isEqualTo(KeyState.EXPIRED);
        assertThatThrownBy(k::read).isInstanceOfSatisfying(AttestationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.KEY_EXPIRED));
        assertThat(ring.find("guest_attest", "guest_attest:0:6")).isEmpty();
        Key fresh = ring.request("guest_attest", "guest_attest:0:6", "YQ==");
        assertThat(fresh.serial()).isNotEqualTo(k.serial());
        assertThat(keys.key(k.serial())).isEmpty();
    }

    @Test
    void logonKeysAreNeverReadableAndUserKeysNeedReadPermission() {
        Key secret = ring.add("logon", "cryptsetup:root", Secret.copyOf(new byte[] {1, 2, 3}), EnumSet.allOf(KeyPermission.class));
        assertThat(secret.readable()).isFalse();
        assertThatThrownBy(secret::read).isInstanceOfSatisfying(AttestationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED)).hasMessageContaining("cannot be read back by design");
        assertThatThrownBy(() -> ring.add("logon", "nocolon", new byte[] {1}, Set.of())).hasMessageStartingWith("description: 'nocolon'");
        Key data = ring.add("user", "note", "x".getBytes(StandardCharsets.US_ASCII), EnumSet.of(KeyPermission.VIEW, KeyPermission.SEARCH,
                KeyPermission.SETATTR));
        assertThatThrownBy(data::read).isInstanceOfSatisfying(AttestationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED)).hasMessageStartingWith("may not read key ");
        data.setPermissions(EnumSet.of(KeyPermission.READ));
        assertThat(data.read()).containsExactly('x');
        assertThatThrownBy(() -> data.setTimeout(Duration.ofSeconds(1))).hasMessageStartingWith("may not set the timeout of");
    }

    @Test
    void addReplacesThePayloadOfAnExistingKeyAndChecksLimits() {
        Key a = ring.add("user", "k", new byte[] {1}, EnumSet.allOf(KeyPermission.class));
        Key b = ring.add("user", "k", new byte[] {2}, EnumSet.allOf(KeyPermission.class));
        assertThat(b).isSameAs(a);
        assertThat(a.read()).containsExactly(2);
        assertThatThrownBy(() -> ring.add("user", "big", new byte[32768], Set.of()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessage("user key payload: 32768 bytes exceeds the limit of 32767 bytes");
        assertThatThrownBy(() -> ring.add("user", "empty", new byte[0], Set.of())).hasMessage("user key payload: is empty");
    }

    @Test
    void theKeyCountQuotaIsEnforced() {
        try (JavaKeyring small = JavaKeyring.builder().maxKeys(2).build()) {
            Keyring r = small.newKeyring("r");
            Key a = r.add("user", "a", new byte[] {1}, Set.of());
            r.add("user", "b", new byte[] {1}, Set.of());
            assertThatThrownBy(() -> r.add("user", "c", new byte[] {1}, Set.of()))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.QUOTA_EXCEEDED));
            assertThat(r.unlink(a)).isTrue();
            r.add("user", "c", new byte[] {1}, Set.of());
        }
    }

    @Test
    void serialsAreUniqueAcrossKeysAndKeyrings() {
        Set<Integer> serials = new HashSet<>();
        serials.add(ring.serial());
        Keyring other = keys.newKeyring("other");
        serials.add(other.serial());
        for (int i = 0; i < 100; i++) {
            serials.add(other.add("user", "k" + i, new byte[] {1}, Set.of()).serial());
        }
        assertThat(serials).hasSize(102).allMatch(s -> s > 0);
    }

    @Test
    void aSecondTypeOfTheSameNameIsRefused() {
        assertThatThrownBy(() -> JavaKeyring.builder().type(KeyTypes.user()))
                .hasMessage("key type: 'user' is already registered");
    }

    @Test
    void typesWithoutAConstructorFailARequestThatMisses() {
        assertThatThrownBy(() -> ring.request("user", "absent", "x"))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_NOT_FOUND));
    }
}
