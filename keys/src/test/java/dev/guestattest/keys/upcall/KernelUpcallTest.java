// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.core.linux.Libc;
import dev.guestattest.keys.testing.HangingProviderFactory;
import dev.guestattest.tdx.abi.Quote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The request-key upcall end to end on the running kernel: keyctl in a fresh session keyring asks
 * for a guest_attest key, the kernel runs /sbin/request-key, which runs this build's handler from
 * the real /etc/request-key.d/guest_attest.conf. The test writes that file only if it is absent
 * and removes exactly it afterwards. Needs root and keyutils; .ci/run installs keyutils and sets
 * GUEST_ATTEST_KERNEL_TESTS=required so that a missing prerequisite fails instead of skipping.
 */
@EnabledOnOs(OS.LINUX)
class KernelUpcallTest {
    private static final Path ROOT = Path.of("/");
    private static boolean wroteConf;

    @TempDir
    static Path state;

    @BeforeAll
    static void prerequisites() {
        boolean required = "required".equals(System.getenv("GUEST_ATTEST_KERNEL_TESTS"));
        String missing = Libc.geteuid() != 0 ? "root"
                : !Files.isExecutable(Path.of("/sbin/request-key")) ? "/sbin/request-key (apt-get install keyutils)"
                : !Files.isExecutable(Path.of("/usr/bin/keyctl")) && !Files.isExecutable(Path.of("/bin/keyctl")) ? "keyctl (keyutils)"
                : null;
        if (missing != null && required) {
            throw new AssertionError("kernel upcall tests need " + missing);
        }
        assumeTrue(missing == null, () -> "kernel upcall tests need " + missing);
        assumeTrue(!Files.exists(RequestKeyConf.path(ROOT)), "a guest_attest.conf is installed here already; not touching it");
    }

    @AfterAll
    static void removeWhatWeWrote() {
        if (wroteConf) {
            RequestKeyConf.uninstall(ROOT, Libc.geteuid());
        }
    }

    private static void install(String provider, int timeoutSeconds, String... more) {
        List<String> options = new ArrayList<>(List.of("--provider", provider, "--state-dir", state.toString(), "--timeout",
                Integer.toString(timeoutSeconds), "--negative-timeout", "5", "--handler-log", state.resolve("upcall.log").toString()));
        options.addAll(List.of(more));
        HandlerCommand handler = HandlerCommand.ofThisJvm(List.of(UpcallMain.class.getName()), options);
        RequestKeyConf.install(ROOT, handler.words(), Libc.geteuid());
        wroteConf = true;
    }

    record Run(int exit, byte[] stdout, String stderr, long millis) {
    }

    /** Runs {@code script} under sh in a new anonymous session keyring, as the seed's demo does. */
    private static Run keyctlSession(String script, int timeoutSeconds) throws IOException, InterruptedException {
        return keyctlSession(List.of(), script, timeoutSeconds);
    }

    /** The same, as another user: {@code asUser} is the command that switches to it (setpriv ...). */
    private static Run keyctlSession(List<String> asUser, String script, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(state, "out", ".bin");
        Path err = Files.createTempFile(state, "err", ".txt");
        long start = System.nanoTime();
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of("keyctl", "session", "-", "sh", "-c", script));
        Process p = new ProcessBuilder(cmd).directory(state.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("keyctl session did not finish within " + timeoutSeconds + " s: " + script);
        }
        return new Run(p.exitValue(), Files.readAllBytes(out), Files.readString(err), (System.nanoTime() - start) / 1_000_000);
    }

    private static byte[] padded(byte[] data) {
        return Arrays.copyOf(data, 64);
    }

    @Test
    void theKeysPayloadIsAQuoteWhoseReportDataIsTheCallout() throws Exception {
        install("tdx/emulated", 30);
        byte[] data = new byte[20];
        new Random(3).nextBytes(data);
        String b64 = Base64.getEncoder().encodeToString(data);
        Run r = keyctlSession("id=$(keyctl request2 user guest_attest:0:7 " + b64 + ") && keyctl pipe $id", 60);
        assertThat(r.exit()).as(r.stderr()).isZero();
        Quote q = Quote.parse(r.stdout());
        assertThat(q.body().reportData().toArray()).isEqualTo(padded(data));
        assertThat(Files.readString(state.resolve("upcall.log"))).contains("user:guest_attest:0:7: instantiated with "
                + r.stdout().length + " bytes of evidence from tdx/emulated");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "guest_attest:0:1|!!!|Invalid argument",
            "guest_attest:0:1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=|File too large",
            "guest_attest:9:1|YQ==|Invalid argument",
            "guest_attest:0:x|YQ==|Invalid argument",
            "guest_attest:-1:0|YQ==|Invalid argument",
            "guest_attest:|YQ==|Invalid argument",
            "guest_attest:1:1|YQ==|Operation not supported"})
    void badRequestsFailAtOnceWithAClearErrno(String description, String callout, String strerror) throws Exception {
        install("tdx/emulated", 30);
        Run r = keyctlSession("keyctl request2 user '" + description + "' '" + callout + "'", 60);
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains(strerror);
        assertThat(r.millis()).as("failed at once (one JVM start), not after a timeout").isLessThan(10_000);
    }

    @Test
    void aProviderThatHangsFailsTheRequestWithinTheBound() throws Exception {
        install(HangingProviderFactory.NAME, 2);
        Run r = keyctlSession("keyctl request2 user guest_attest:0:2 YQ==", 60);
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("Connection timed out"); // ETIMEDOUT
        assertThat(r.millis()).isBetween(2_000L, 12_000L);
        assertThat(Files.readString(state.resolve("upcall.log"))).contains("rejected with ETIMEDOUT (the provider did not answer within 2000 ms)");
    }

    @Test
    void fiftyConcurrentRequestsForDifferentDescriptionsAllSucceed() throws Exception {
        install("tdx/emulated", 60);
        StringBuilder script = new StringBuilder();
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] d = ("request " + i).getBytes(StandardCharsets.US_ASCII);
            data.add(d);
            script.append("(keyctl pipe $(keyctl request2 user guest_attest:0:").append(1000 + i).append(' ')
                    .append(Base64.getEncoder().encodeToString(d)).append(") > q").append(i).append(".bin) &\n");
        }
        script.append("wait\n");
        Run r = keyctlSession(script.toString(), 300);
        assertThat(r.exit()).as(r.stderr()).isZero();
        for (int i = 0; i < 50; i++) {
            byte[] quote = Files.readAllBytes(state.resolve("q" + i + ".bin"));
            assertThat(quote).as("quote %d (%s)", i, r.stderr()).isNotEmpty();
            assertThat(Quote.parse(quote).body().reportData().toArray()).isEqualTo(padded(data.get(i)));
        }
    }

    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    /**
     * setpriv to switch uid, and a kernel that runs request-key for a uid other than root: some
     * sandboxed kernels fail every such upcall with ENOENT before /sbin/request-key runs, which
     * keyutils' own rule for debug:loop:* keys (|/bin/cat) shows without GuestAttest's handler.
     */
    private static void requireUpcallsForOtherUids() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) switches to another uid");
        Run probe = keyctlSession(AS_NOBODY, "keyctl request2 user debug:loop:ga-probe hello", 30);
        assumeTrue(probe.exit() == 0 || !probe.stderr().contains("No such file or directory"),
                () -> "this kernel runs no request-key upcall for uids other than root (keyutils' debug:loop rule: " + probe.stderr().strip() + ")");
    }

    /** The attack through the real kernel: an unprivileged user's request_key makes root run the handler for them. */
    @Test
    void aUidTheHandlerDoesNotServeGetsEaccesAndNoEvidence() throws Exception {
        requireUpcallsForOtherUids();
        install("tdx/emulated", 30);
        Run r = keyctlSession(AS_NOBODY, "id=$(keyctl request2 user guest_attest:0:8 YQ==) && keyctl pipe $id", 60);
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("Permission denied"); // EACCES
        assertThat(r.stdout()).isEmpty();
        assertThat(Files.readString(state.resolve("upcall.log"))).contains("user:guest_attest:0:8: rejected with EACCES (uid 65534 is not served")
                .doesNotContain("user:guest_attest:0:8: instantiated");
    }

    @Test
    void aUidTheInstallerAllowedGetsEvidence() throws Exception {
        requireUpcallsForOtherUids();
        install("tdx/emulated", 30, "--allow-uid", "65534");
        byte[] data = "nobody's nonce".getBytes(StandardCharsets.US_ASCII);
        Run r = keyctlSession(AS_NOBODY, "id=$(keyctl request2 user guest_attest:0:9 " + Base64.getEncoder().encodeToString(data)
                + ") && keyctl pipe $id", 60);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(Quote.parse(r.stdout()).body().reportData().toArray()).isEqualTo(padded(data));
    }
}
