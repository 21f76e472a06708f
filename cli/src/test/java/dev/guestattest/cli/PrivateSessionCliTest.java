// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.testing.KernelTests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI landing keys from a private session, as a systemd service gets by default: each command
 * runs as its own JVM under {@code keyctl session -}, where {@code @u} is not linked in. This test
 * JVM, which has no session keyring of its own and so reaches {@code @u}, then checks what landed.
 */
class PrivateSessionCliTest {
    @TempDir
    Path tmp;

    private static List<String> privateSession(List<String> command) {
        List<String> words = new ArrayList<>(List.of("keyctl", "session", "-"));
        words.addAll(command);
        return words;
    }

    private static List<String> cli(String... args) {
        List<String> words = LoopbackBroker.cliProcess();
        words.addAll(List.of(args));
        return words;
    }

    @Test
    void secretGetLandsAReleasedKeyInUserKeyringWithItsPermissionsAndExpiry() throws Exception {
        KernelTests.require("the private-session CLI test", "/usr/bin/keyctl");
        String description = "cryptsetup:ga" + ProcessHandle.current().pid();
        try (LoopbackBroker broker = LoopbackBroker.start(tmp)) {
            broker.put("prod/disk/root", "released disk key".getBytes(StandardCharsets.UTF_8));
            List<String> get = cli("secret", "get", "kbs:///prod/disk/root", "--to-kernel-keyring", description, "--expire", "600");
            get.addAll(broker.guestOptions());
            KernelTests.Result r = KernelTests.output(privateSession(get));
            assertThat(r.exit()).as(r.out()).isZero();
            int serial = KernelKeys.search(KeyringId.USER, "logon", description, 0);
            try {
                assertThat(r.out()).contains("serial " + serial).doesNotContain("released disk key");
                String[] proc = KernelTests.procKeys(serial).orElseThrow();
                assertThat(proc[1]).doesNotContain("R");
                assertThat(proc[3]).matches("(9|10)m");
                assertThat(proc[4]).isEqualTo("3f010000");
            } finally {
                KernelKeys.unlink(serial, KeyringId.USER);
            }
        }
    }

    @Test
    void addLogonInAPrivateSessionSetsExactlyTheAskedMask() throws Exception {
        KernelTests.require("the private-session CLI test", "/usr/bin/keyctl");
        String description = "disk:ga" + ProcessHandle.current().pid();
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "from a file");
        KernelTests.Result r = KernelTests.output(privateSession(cli("keys", "add-logon", description, "--secret-file", secret.toString(),
                "--perm", "0x0b010000", "--expire", "120")));
        assertThat(r.exit()).as(r.out()).isZero();
        int serial = Integer.parseInt(r.out().lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow());
        try {
            assertThat(KernelKeys.search(KeyringId.USER, "logon", description, 0)).isEqualTo(serial);
            String[] proc = KernelTests.procKeys(serial).orElseThrow();
            assertThat(proc[4]).isEqualTo("0b010000"); // no possessor setattr or link left: the staging bits are gone
            assertThat(proc[3]).matches("(1|2)m");
        } finally {
            KernelKeys.unlink(serial, KeyringId.USER);
        }
    }

    @Test
    void sessionKeyringIsKeptInsideASessionAndRefusedWithoutOne() throws Exception {
        KernelTests.require("the private-session CLI test", "/usr/bin/keyctl");
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "session bound");
        String description = "disk:gas" + ProcessHandle.current().pid();
        List<String> add = cli("keys", "add-logon", description, "--secret-file", secret.toString(), "--keyring", "@s");
        List<String> inSession = new ArrayList<>(List.of("keyctl", "session", "-", "sh", "-c",
                String.join(" ", add.stream().map(w -> "'" + w + "'").toList()) + " && keyctl search @s logon " + description));
        KernelTests.Result kept = KernelTests.output(inSession);
        assertThat(kept.exit()).as(kept.out()).isZero();
        List<String> serials = kept.out().lines().filter(l -> l.matches("\\d+")).toList(); // keyctl's "Joined session keyring" aside
        assertThat(serials).hasSize(2);
        assertThat(serials.get(0)).isEqualTo(serials.get(1)); // the key the command printed is in the session it ran in

        assumeTrue(!KernelKeys.hasOwnSession(), "this test JVM runs inside a session keyring; the refusal needs a process without one");
        KernelTests.Result lost = KernelTests.output(add);
        assertThat(lost.exit()).as(lost.out()).isEqualTo(2);
        assertThat(lost.out()).contains("no session keyring of its own").contains("use @u");
    }
}
