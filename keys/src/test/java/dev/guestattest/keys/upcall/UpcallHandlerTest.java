// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.Attester;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpcallHandlerTest {
    private static final Duration NEGATIVE = Duration.ofSeconds(5);
    private final FakeKernel kernel = new FakeKernel();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final HandlerLog log = new HandlerLog() {
        @Override
        public void info(String line) {
            lines.add("info " + line);
        }

        @Override
        public void error(String line) {
            lines.add("error " + line);
        }
    };

    /** Evidence "ev:" + hex(inblob) + ":" + privlevel, so the test sees exactly what the provider got. */
    private final Attester echo = request -> {
        calls.incrementAndGet();
        return report("test/echo", ("ev:" + request.inblob().hex() + ":" + request.privlevel()).getBytes(StandardCharsets.US_ASCII));
    };

    private static Report report(String provider, byte[] outblob) {
        return new Report(Bytes.of(outblob), Bytes.EMPTY, Bytes.EMPTY, provider, 1);
    }

    private UpcallHandler handler(Attester attester, Duration bound) {
        return handler(attester, Requesters.ROOT_ONLY, bound);
    }

    private UpcallHandler handler(Attester attester, Requesters requesters, Duration bound) {
        return new UpcallHandler(kernel, attester, requesters, bound, NEGATIVE, log);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theKeyIsInstantiatedWithEvidenceForThePaddedCalloutAtTheDescriptionsLevel() {
        kernel.key(42, "user", "guest_attest:2:7");
        UpcallHandler.Outcome o = handler(echo, Duration.ofSeconds(5)).handle(new Upcall("create", 42, b64("hello"), 99, 0));
        assertThat(o.instantiated()).isTrue();
        assertThat(kernel.done).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo(42);
            assertThat(d.keyring()).isEqualTo(99);
            byte[] inblob = new byte[64];
            System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, inblob, 0, 5);
            assertThat(new String(d.payload(), StandardCharsets.US_ASCII)).isEqualTo("ev:" + Bytes.of(inblob).hex() + ":2");
        });
        assertThat(lines).singleElement().asString().startsWith("info key 42 user:guest_attest:2:7: instantiated with ")
                .contains("from test/echo").doesNotContain(b64("hello"));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
            "guest_attest:|aGVsbG8=|22|description: ",
            "guest_attest:9:1|aGVsbG8=|22|description level: '9'",
            "guest_attest:0:x|aGVsbG8=|22|description id: 'x'",
            "guest_attest:-1:0|aGVsbG8=|22|description level: '-1'",
            "guest_attest:0:1|!!!|22|callout: not base64",
            "guest_attest:0:1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=|27|callout: 65 bytes",
            "guest_attest:0:1|-|22|callout: missing"})
    void badInputRejectsTheKeyWithItsErrnoAndNeverCallsTheProvider(String description, String callout, int errno, String why) {
        kernel.key(5, "user", description);
        UpcallHandler.Outcome o = handler(echo, Duration.ofSeconds(5)).handle(new Upcall("create", 5, callout, 0, 0));
        assertThat(o.instantiated()).isFalse();
        assertThat(o.errno()).isEqualTo(errno);
        assertThat(kernel.done).singleElement().satisfies(d -> {
            assertThat(d.payload()).isNull();
            assertThat(d.errno()).isEqualTo(errno);
            assertThat(d.timeout()).isEqualTo(NEGATIVE);
        });
        assertThat(calls).hasValue(0);
        assertThat(lines).singleElement().asString().startsWith("error key 5 ").contains("rejected with " + Errno.name(errno))
                .contains(why);
    }

    @Test
    void aProviderThatHangsIsCutOffAtTheBoundWithEtimedout() {
        kernel.key(6, "user", "guest_attest:0:1");
        Attester hang = request -> {
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException ignored) {
                    // like a stuck device: ignores interrupts
                }
            }
        };
        long start = System.nanoTime();
        UpcallHandler.Outcome o = handler(hang, Duration.ofMillis(300)).handle(new Upcall("create", 6, b64("x"), 0, 0));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).isBetween(300L, 3_000L);
        assertThat(o.errno()).isEqualTo(Errno.ETIMEDOUT);
        assertThat(o.message()).contains("did not answer within 300 ms");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NO_PROVIDER, 6", "DEVICE_ERROR, 5", "BUSY, 16", "PERMISSION_DENIED, 13", "UNSUPPORTED, 95"})
    void providerFailuresBecomeTheMatchingErrno(Reason reason, int errno) {
        kernel.key(7, "user", "guest_attest:0:1");
        UpcallHandler.Outcome o = handler(r -> {
            throw AttestationException.of(reason, "provider says no");
        }, Duration.ofSeconds(5)).handle(new Upcall("create", 7, b64("x"), 0, 0));
        assertThat(o.errno()).isEqualTo(errno);
        assertThat(o.message()).contains("provider says no");
    }

    @Test
    void aProviderErrnoIsPassedThroughAsIs() {
        kernel.key(7, "user", "guest_attest:0:1");
        UpcallHandler.Outcome o = handler(r -> {
            throw AttestationException.fromErrno(Reason.DEVICE_ERROR, Errno.ENOTTY, "vmpck wiped");
        }, Duration.ofSeconds(5)).handle(new Upcall("create", 7, b64("x"), 0, 0));
        assertThat(o.errno()).isEqualTo(Errno.ENOTTY);
    }

    @Test
    void aProviderBugStillEndsInARejectedKey() {
        kernel.key(7, "user", "guest_attest:0:1");
        UpcallHandler.Outcome o = handler(r -> {
            throw new NullPointerException("secret-ish detail");
        }, Duration.ofSeconds(5)).handle(new Upcall("create", 7, b64("x"), 0, 0));
        assertThat(o.errno()).isEqualTo(Errno.EIO);
        assertThat(o.message()).contains("java.lang.NullPointerException").doesNotContain("secret-ish detail");
    }

    @Test
    void evidenceLargerThanAUserKeyIsRefusedNotCut() {
        kernel.key(8, "user", "guest_attest:0:1");
        UpcallHandler.Outcome o = handler(r -> report("test/big", new byte[40_000]), Duration.ofSeconds(5))
                .handle(new Upcall("create", 8, b64("x"), 0, 0));
        assertThat(o.errno()).isEqualTo(Errno.EFBIG);
        assertThat(o.message()).contains("40000 bytes exceeds the user key payload limit of 32767 bytes");
        assertThat(kernel.done).noneMatch(d -> d.payload() != null);
    }

    @Test
    void onlyCreateOfUserKeysIsServed() {
        kernel.key(9, "logon", "guest_attest:0:1");
        assertThat(handler(echo, Duration.ofSeconds(5)).handle(new Upcall("create", 9, b64("x"), 0, 0)).errno()).isEqualTo(Errno.EINVAL);
        kernel.key(10, "user", "guest_attest:0:1");
        assertThat(handler(echo, Duration.ofSeconds(5)).handle(new Upcall("update", 10, b64("x"), 0, 0)).errno()).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(calls).hasValue(0);
    }

    @Test
    void aKeyTheKernelDoesNotKnowIsReportedAndStillRejected() {
        UpcallHandler.Outcome o = handler(echo, Duration.ofSeconds(5)).handle(new Upcall("create", 404, b64("x"), 0, 0));
        assertThat(o.errno()).isEqualTo(Errno.ENOKEY);
        assertThat(kernel.done).singleElement().satisfies(d -> assertThat(d.errno()).isEqualTo(Errno.ENOKEY));
    }

    /** The attack: an unprivileged user asks root's handler for evidence over data of their choosing. */
    @Test
    void aUidNotServedIsRejectedWithEaccesAndTheProviderNeverRuns() {
        kernel.key(11, "user", "guest_attest:0:1", 1000);
        UpcallHandler.Outcome o = handler(echo, Duration.ofSeconds(5)).handle(new Upcall("create", 11, b64("chosen by uid 1000"), 0, 1000));
        assertThat(o.instantiated()).isFalse();
        assertThat(o.errno()).isEqualTo(Errno.EACCES);
        assertThat(kernel.done).singleElement().satisfies(d -> {
            assertThat(d.payload()).isNull();
            assertThat(d.errno()).isEqualTo(Errno.EACCES);
        });
        assertThat(calls).hasValue(0);
        assertThat(lines).singleElement().asString().startsWith("error key 11 user:guest_attest:0:1: rejected with EACCES")
                .contains("uid 1000 is not served by this handler").contains("--allow-uid 1000");
    }

    @Test
    void aUidTheInstallerAllowedIsServedAndRootAlways() {
        Requesters allowed = Requesters.of(List.of(1000L));
        kernel.key(12, "user", "guest_attest:0:1", 1000).key(13, "user", "guest_attest:0:1", 0).key(14, "user", "guest_attest:0:1", 1001);
        assertThat(handler(echo, allowed, Duration.ofSeconds(5)).handle(new Upcall("create", 12, b64("x"), 0, 1000)).instantiated()).isTrue();
        assertThat(handler(echo, allowed, Duration.ofSeconds(5)).handle(new Upcall("create", 13, b64("x"), 0, 0)).instantiated()).isTrue();
        assertThat(handler(echo, allowed, Duration.ofSeconds(5)).handle(new Upcall("create", 14, b64("x"), 0, 1001)).errno())
                .isEqualTo(Errno.EACCES);
        assertThat(calls).hasValue(2);
    }

    /** A %u that says root for a key another uid owns (a hand-made command line, or a wrong rule) is refused too. */
    @Test
    void aRequesterUidThatIsNotTheKeysOwnerIsRejected() {
        kernel.key(15, "user", "guest_attest:0:1", 1000);
        UpcallHandler.Outcome o = handler(echo, Duration.ofSeconds(5)).handle(new Upcall("create", 15, b64("x"), 0, 0));
        assertThat(o.errno()).isEqualTo(Errno.EACCES);
        assertThat(o.message()).contains("belongs to uid 1000");
        assertThat(calls).hasValue(0);
    }
}
