// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.linux.Errno;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpcallMainTest {
    @TempDir
    Path state;

    @Test
    void optionsThenTheFourRequestKeyArguments() {
        UpcallMain.Options o = UpcallMain.parse(new String[] {"--provider", "tdx/emulated", "--state-dir", "/s", "--timeout", "7",
                "--negative-timeout", "2", "--handler-log", "/l", "--setting", "tdx.quote-version=5", "--allow-uid", "1000", "--allow-uid", "1001", "create", "12", "YQ==",
                "34", "1000"});
        assertThat(o.provider()).contains("tdx/emulated");
        assertThat(o.context().stateDir()).isEqualTo(Path.of("/s"));
        assertThat(o.context().quoteTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(o.context().setting("tdx.quote-version")).contains("5");
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(o.negativeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.handlerLog()).contains(Path.of("/l"));
        assertThat(o.upcall()).isEqualTo(new Upcall("create", 12, "YQ==", 34, 1000));
        assertThat(o.requesters().uids()).containsExactly(0L, 1000L, 1001L);
        assertThat(UpcallMain.parse(new String[] {"create", "12", "YQ==", "34", "0"}).requesters()).isEqualTo(Requesters.ROOT_ONLY);
    }

    @Test
    void usageErrorsExitTwoWithTheReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        FakeKernel kernel = new FakeKernel();
        assertThat(UpcallMain.run(new String[] {"create", "12", "YQ=="}, ps, kernel, Optional.empty())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("expected <op> <key> <callout> <session-keyring> <uid>, got 3")
                .contains("usage: guest-attest keys upcall");
        assertThat(UpcallMain.run(new String[] {"create", "12", "YQ==", "0"}, ps, kernel, Optional.empty())).isEqualTo(2); // a rule without %u
        assertThat(UpcallMain.run(new String[] {"--timeout", "0", "create", "1", "YQ==", "0", "0"}, ps, kernel, Optional.empty())).isEqualTo(2);
        assertThat(UpcallMain.run(new String[] {"--bogus", "x", "create", "1", "YQ==", "0", "0"}, ps, kernel, Optional.empty())).isEqualTo(2);
        assertThat(UpcallMain.run(new String[] {"--allow-uid", "-1", "create", "1", "YQ==", "0", "0"}, ps, kernel, Optional.empty())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--allow-uid: '-1' is not a uid (0..4294967294)");
        assertThat(UpcallMain.run(new String[] {"--help"}, ps, kernel, Optional.empty())).isZero();
        assertThat(kernel.done).isEmpty();
    }

    @Test
    void badSerialsAreUsageErrors() {
        assertThatThrownBy(() -> Upcall.parse("create", "0", "YQ==", "0", "0")).hasMessage("key: '0' is not a key serial (1..2147483647)");
        assertThatThrownBy(() -> Upcall.parse("create", "12", "YQ==", "-3", "0")).hasMessageStartingWith("session keyring: '-3'");
        assertThatThrownBy(() -> Upcall.parse("create", "x", "YQ==", "1", "0")).hasMessageStartingWith("key: 'x'");
        assertThatThrownBy(() -> Upcall.parse("create", "12", "YQ==", "1", "4294967295")).hasMessage("uid: '4294967295' is not a uid (0..4294967294)");
        assertThatThrownBy(() -> Upcall.parse("create", "12", "YQ==", "1", "%u")).hasMessageStartingWith("uid: '%u'");
    }

    @Test
    void aFullRunAgainstTheEmulatedTdxInstantiatesTheKey() {
        FakeKernel kernel = new FakeKernel().key(77, "user", "guest_attest:0:3");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = UpcallMain.run(new String[] {"--provider", "tdx/emulated", "--state-dir", state.toString(), "create", "77", "YQ==", "0", "0"},
                new PrintStream(err, true, StandardCharsets.UTF_8), kernel, Optional.of(HandlerLog.stream(new PrintStream(err, true,
                        StandardCharsets.UTF_8))));
        assertThat(code).isZero();
        assertThat(kernel.done).singleElement().satisfies(d -> assertThat(d.payload()).hasSizeGreaterThan(1000));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("key 77 user:guest_attest:0:3: instantiated with");
    }

    @Test
    void anUnknownProviderRejectsTheKeyWithEinval() {
        FakeKernel kernel = new FakeKernel().key(78, "user", "guest_attest:0:3");
        int code = UpcallMain.run(new String[] {"--provider", "nope/none", "--state-dir", state.toString(), "create", "78", "YQ==", "0", "0"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), kernel, Optional.of(HandlerLog.stream(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))));
        assertThat(code).isEqualTo(1);
        assertThat(kernel.done).singleElement().satisfies(d -> assertThat(d.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void trainingMakesARealReportAgainstAStandInKey() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = UpcallMain.train(new String[] {"--provider", "tdx/emulated", "--state-dir", state.toString()},
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("key 1 user:guest_attest:0:0: instantiated with");
    }

    /** The attack end to end: uid 1000's request reaches root's handler, which must not make evidence for it. */
    @Test
    void aRequestFromAUidNotAllowedIsRejectedWithEaccesAndOnlyAllowUidServesIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        FakeKernel kernel = new FakeKernel().key(79, "user", "guest_attest:0:3", 1000);
        String[] request = {"--provider", "tdx/emulated", "--state-dir", state.toString(), "create", "79", "YQ==", "0", "1000"};
        assertThat(UpcallMain.run(request, ps, kernel, Optional.of(HandlerLog.stream(ps)))).isEqualTo(1);
        assertThat(kernel.done).singleElement().satisfies(d -> {
            assertThat(d.errno()).isEqualTo(Errno.EACCES);
            assertThat(d.payload()).isNull();
        });
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rejected with EACCES").contains("uid 1000 is not served");
        assertThat(state).isEmptyDirectory(); // the emulated TD never ran
        String[] allowed = new String[request.length + 2];
        allowed[0] = "--allow-uid";
        allowed[1] = "1000";
        System.arraycopy(request, 0, allowed, 2, request.length);
        kernel.done.clear();
        assertThat(UpcallMain.run(allowed, ps, kernel, Optional.of(HandlerLog.stream(ps)))).isZero();
        assertThat(kernel.done).singleElement().satisfies(d -> assertThat(d.payload()).hasSizeGreaterThan(1000));
    }
}
