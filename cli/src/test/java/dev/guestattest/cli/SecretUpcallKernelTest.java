// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.core.linux.Libc;
import dev.guestattest.keys.testing.KernelTests;
import dev.guestattest.keys.upcall.RequestKeyConf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's storage-key case on the running kernel: {@code keyctl request2 logon disk:NAME
 * kbs:///...} makes the kernel run GuestAttest's secret handler, which attests (emulated TDX) to a
 * broker on loopback and instantiates the key with the released secret, from a private session
 * ({@code keyctl session -}, what systemd gives a service). Root and keyutils; with
 * GUEST_ATTEST_KERNEL_TESTS=required (CI) a missing prerequisite fails instead of skipping.
 */
class SecretUpcallKernelTest {
    @TempDir
    Path tmp;

    @Test
    void logonAndFscryptProvisioningKeysRequestedByNameAreFilledByTheBrokerAndConfigured() throws Exception {
        KernelTests.require("the secret upcall test", "/sbin/request-key", "/usr/bin/keyctl");
        assumeTrue(!Files.exists(RequestKeyConf.path(Path.of("/"))), "a guest_attest.conf is installed here already; not touching it");
        byte[] fsKey = new byte[64];
        new java.util.Random(7).nextBytes(fsKey);
        CliRun cli = new CliRun();
        try (LoopbackBroker broker = LoopbackBroker.start(tmp)) {
            broker.put("prod/disk/root", "luks passphrase".getBytes(StandardCharsets.UTF_8)).put("prod/disk/fs", fsKey);
            cli.capture();
            try {
                assertThat(cli.run("keys", "install", "--provider", "tdx/emulated", "--state-dir", broker.state().toString(), "--broker",
                        broker.uri().toString(), "--secret-expire", "600", "--no-cds", "--handler-log", tmp.resolve("upcall.log").toString()))
                        .as(cli.stderr()).isZero();
            } finally {
                cli.restore();
            }
            try {
                String name = "disk:ga" + ProcessHandle.current().pid();
                String out = KernelTests.output(List.of("keyctl", "session", "-", "sh", "-c",
                        "id=$(keyctl request2 logon " + name + " kbs:///prod/disk/root @s) && keyctl describe $id"
                                + " && grep \"^$(printf %08x $id) \" /proc/keys && (keyctl print $id || echo not-readable)"
                                + " && (keyctl request2 logon " + name + "x kbs:///prod/disk/absent @s || echo refused)"
                                + " && fs=$(keyctl request2 fscrypt-provisioning " + name + "fs kbs:///prod/disk/fs @s) && keyctl describe $fs"
                                + " && (keyctl read $fs || echo fs-not-readable)")).out();
                String log0 = (Files.exists(tmp.resolve("upcall.log")) ? Files.readString(tmp.resolve("upcall.log")) : "(no handler log)")
                        + "\n" + Files.readString(RequestKeyConf.path(Path.of("/")));
                assertThat(out).as(log0).contains("logon: " + name).contains("not-readable").contains("refused")
                        .contains("fscrypt-provisioning: " + name + "fs").contains("Operation not supported").contains("fs-not-readable")
                        .doesNotContain("luks passphrase");
                // the permissions and expiry the rule asked for, set after instantiation, from the handler's own session keyring
                String[] proc = out.lines().filter(l -> l.contains(" logon ") && l.contains(name)).findFirst().orElseThrow().split("\\s+");
                assertThat(proc[3]).matches("(9|10)m");
                assertThat(proc[4]).isEqualTo("3f010000");
                String log = Files.readString(tmp.resolve("upcall.log"));
                assertThat(log).contains("(" + name + "): instantiated with prod/disk/root").contains("(" + name + "fs): instantiated with prod/disk/fs")
                        .contains("errno 126").doesNotContain("luks passphrase");
            } finally {
                RequestKeyConf.uninstall(Path.of("/"), Libc.geteuid());
            }
        }
    }
}
