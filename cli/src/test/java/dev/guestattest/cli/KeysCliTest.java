// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** keys install: who the handler serves, and where root may be told to append its log. */
class KeysCliTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    private int install(String... more) {
        String[] base = {"keys", "install", "--root", tmp.resolve("root").toString(), "--no-cds", "--provider", "tdx/emulated",
                "--state-dir", tmp.resolve("state").toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return cli.run(args);
    }

    private Path conf() {
        return tmp.resolve("root/etc/request-key.d/guest_attest.conf");
    }

    @Test
    void theRulePassesTheRequestersUidAndTheHandlerOnlyTheAllowedOnes() throws Exception {
        assertThat(install("--allow-uid", "1000", "--allow-uid", "65534")).as(cli.stderr()).isZero();
        String text = Files.readString(conf());
        assertThat(text).contains(" keys upcall ").contains(" --allow-uid 1000 --allow-uid 65534 ").endsWith(" %o %k %c %S %u\n");
        assertThat(install()).isZero();
        assertThat(Files.readString(conf())).doesNotContain("--allow-uid").endsWith(" %o %k %c %S %u\n"); // default: root only
    }

    @Test
    void aUidThatIsNoUidIsBadInput() {
        assertThat(install("--allow-uid", "-5")).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --allow-uid: '-5' is not a uid (0..4294967294)");
        assertThat(install("--allow-uid", "root")).isEqualTo(2);
        assertThat(conf()).doesNotExist();
    }

    /** The attack's set-up: root's handler told to log into a /tmp-like directory, where anyone can plant a link. */
    @Test
    void aHandlerLogInAWorldWritableStickyDirectoryIsRefusedAtInstall() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        assertThat(install("--handler-log", shared.resolve("upcall.log").toString())).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --handler-log: " + shared.toRealPath() + " is writable by group or others (mode 1777)");
        assertThat(conf()).doesNotExist();
    }

    @Test
    void aHandlerLogThatIsASymlinkIsRefusedAtInstall() throws Exception {
        Path logs = Files.createDirectory(tmp.resolve("logs"));
        Path victim = Files.writeString(tmp.resolve("victim"), "x");
        Path link = Files.createSymbolicLink(logs.resolve("upcall.log"), victim);
        assertThat(install("--handler-log", link.toString())).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --handler-log: " + link + " is a symbolic link");
        assertThat(conf()).doesNotExist();
        assertThat(Files.readString(victim)).isEqualTo("x");
    }
}
