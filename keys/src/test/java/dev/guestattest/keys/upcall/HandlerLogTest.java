// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.Libc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handler runs as root and appends to --handler-log: a user must not be able to aim that append. */
class HandlerLogTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream fallback = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(fallback, true, StandardCharsets.UTF_8);

    private Path dir(String name, String mode) throws Exception {
        Path d = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    @Test
    void linesAreAppendedToAFileCreatedWithoutWorldAccess() throws Exception {
        Path log = dir("logs", "rwx------").resolve("upcall.log");
        HandlerLog.file(log, err).info("one");
        HandlerLog.file(log, err).error("two");
        assertThat(Files.readAllLines(log)).hasSize(2).satisfiesExactly(l -> assertThat(l).endsWith(" info: one"),
                l -> assertThat(l).endsWith(" error: two"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-r-----");
        assertThat(fallback.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** The attack: a link at the log's name to a file the user cannot write, e.g. /etc/shadow. */
    @Test
    void aSymlinkAtTheLogsNameIsNotWrittenThrough() throws Exception {
        Path logs = dir("logs", "rwx------");
        Path victim = Files.writeString(tmp.resolve("victim"), "root:x:0:0\n");
        Path log = Files.createSymbolicLink(logs.resolve("upcall.log"), victim);
        assertThatThrownBy(() -> HandlerLog.requireSafeLocation(log))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith("--handler-log: ").hasMessageContaining("symbolic link");
        HandlerLog.file(log, err).error("key 5: rejected");
        assertThat(Files.readString(victim)).isEqualTo("root:x:0:0\n");
        assertThat(fallback.toString(StandardCharsets.UTF_8)).contains("not appending to " + log).contains("key 5: rejected");
    }

    /** The same link planted after the location was checked: the open itself refuses to follow it (O_NOFOLLOW). */
    @Test
    void aSymlinkPlantedAfterTheCheckIsNotWrittenThroughEither() throws Exception {
        Path logs = dir("logs", "rwx------");
        Path victim = Files.writeString(tmp.resolve("victim"), "root:x:0:0\n");
        Path log = logs.resolve("upcall.log");
        HandlerLog checked = HandlerLog.file(log, err); // absent: a fine location
        Files.createSymbolicLink(log, victim);
        checked.error("key 6: rejected");
        assertThat(Files.readString(victim)).isEqualTo("root:x:0:0\n");
        assertThat(Files.isSymbolicLink(log)).isTrue();
        assertThat(fallback.toString(StandardCharsets.UTF_8)).contains("cannot append to " + log).contains("key 6: rejected");
    }

    /** The attack's set-up: a directory like /tmp (1777), where anyone can plant a link at a name not yet created. */
    @Test
    void aLogInAWorldOrGroupWritableDirectoryIsRefusedEvenIfSticky() throws Exception {
        for (int mode : new int[] {01777, 0777, 0770}) {
            Path shared = Files.createDirectory(tmp.resolve("shared-" + Integer.toOctalString(mode)));
            Files.setAttribute(shared, "unix:mode", mode);
            Path log = shared.resolve("upcall.log");
            assertThatThrownBy(() -> HandlerLog.requireSafeLocation(log))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                    .hasMessageStartingWith("--handler-log: " + shared.toRealPath() + " is writable by group or others (mode "
                            + Integer.toOctalString(mode) + ")");
            HandlerLog.file(log, err).info("x");
            assertThat(log).doesNotExist();
        }
    }

    @Test
    void aLogBelowADirectoryAnotherUserOwnsIsRefused() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root to give a directory to another uid");
        Path theirs = dir("theirs", "rwxr-xr-x");
        Path mine = Files.createDirectory(theirs.resolve("mine"));
        Files.setAttribute(theirs, "unix:uid", 65534); // they could rename 'mine' and put their own in its place
        assertThatThrownBy(() -> HandlerLog.requireSafeLocation(mine.resolve("upcall.log")))
                .hasMessageContaining(theirs.toRealPath() + " belongs to uid 65534");
    }

    /** Below /tmp (sticky, root's) a root-owned private directory is safe: nobody else can rename it. */
    @Test
    void aPrivateDirectoryBelowAStickyOneIsAccepted() throws Exception {
        Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path log = Files.createDirectory(sticky.resolve("private")).resolve("upcall.log");
        Files.setPosixFilePermissions(log.getParent(), PosixFilePermissions.fromString("rwx------"));
        HandlerLog.requireSafeLocation(log);
        HandlerLog.file(log, err).info("fine");
        assertThat(Files.readString(log)).endsWith(" info: fine\n");
    }
}
