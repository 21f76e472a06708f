// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.kernel.KeyInfo;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.upcall.KeyCompletion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secret handler serves the uids keys install allowed, and no other's request reaches the TEE or the broker. */
class SecretUpcallMainTest {
    @TempDir
    Path tmp;

    /** A logon key under construction for {@code uid}, recording how it was completed. */
    private static final class Kernel implements KeyCompletion {
        final long uid;
        final List<Integer> rejected = new CopyOnWriteArrayList<>();
        int instantiated;

        Kernel(long uid) {
            this.uid = uid;
        }

        @Override
        public KeyInfo describe(int key) {
            return new KeyInfo(key, "logon", uid, uid, KeyPermissions.POSSESSOR_ONLY, "disk:root");
        }

        @Override
        public void instantiate(int key, byte[] payload, int keyring) {
            throw new AssertionError("a secret is instantiated through instantiateSecret, configured before the handler lets go");
        }

        @Override
        public void instantiateSecret(int key, byte[] payload, KeyPermissions permissions, Duration expiry) {
            instantiated++;
        }

        @Override
        public void reject(int key, Duration timeout, int errno, int keyring) {
            rejected.add(errno);
        }
    }

    private int run(Kernel kernel, String... allow) throws InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("--broker", "http://127.0.0.1:9", "--provider", "tdx/emulated",
                "--state-dir", tmp.resolve("state").toString(), "--timeout", "10", "--handler-log", tmp.resolve("upcall.log").toString()));
        args.addAll(List.of(allow));
        args.addAll(List.of("create", "41", "kbs:///prod/disk/root", "0", Long.toString(kernel.uid)));
        int code = SecretUpcallMain.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                kernel);
        // the watchdog halts the JVM once the timeout passes: it must be gone when the handler returns, or it halts this test run later
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("guest-attest-upcall-watchdog")) {
                t.join(2_000);
                assertThat(t.isAlive()).as("the upcall watchdog outlives the handler").isFalse();
            }
        }
        return code;
    }

    /** The attack: uid 1000 asks for the disk key; root's handler would attest to the broker on its behalf. */
    @Test
    void aUidNotAllowedIsRejectedWithEaccesBeforeAttestingOrAskingTheBroker() throws Exception {
        Kernel kernel = new Kernel(1000);
        assertThat(run(kernel)).isEqualTo(1);
        assertThat(kernel.rejected).containsExactly(Errno.EACCES);
        assertThat(kernel.instantiated).isZero();
        assertThat(tmp.resolve("state")).doesNotExist(); // the emulated TD never ran
        assertThat(Files.readString(tmp.resolve("upcall.log"))).contains("key 41: rejected (errno 13)").contains("uid 1000 is not served");
    }

    @Test
    void anAllowedUidGetsAsFarAsTheBroker() throws Exception {
        Kernel kernel = new Kernel(1000);
        assertThat(run(kernel, "--allow-uid", "1000")).isEqualTo(1);
        assertThat(kernel.rejected).containsExactly(Errno.EIO); // nothing listens on port 9: the broker could not be reached
        assertThat(Files.readString(tmp.resolve("upcall.log"))).doesNotContain("not served");
    }
}
