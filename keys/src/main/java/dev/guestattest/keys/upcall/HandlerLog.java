// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * One line per upcall, to a file (appended with a single write, so concurrent handlers never
 * interleave within a line) or to syslog. The handler runs with no terminal, so a log is the only
 * way anyone learns why a key was rejected. Lines never contain callout data or evidence.
 */
public interface HandlerLog {
    void info(String line);

    void error(String line);

    /**
     * Appends to {@code file}, never through a symbolic link, and only where {@link
     * #requireSafeLocation} allows: the handler runs as root, so a log another user could point
     * elsewhere would let them append to any file. A line that cannot be written, or a refused
     * location, goes to {@code fallback}.
     */
    static HandlerLog file(Path file, PrintStream fallback) {
        return new FileLog(file, fallback);
    }

    /**
     * Refuses (INVALID_ARGUMENT, naming --handler-log) a log location another user could redirect: a
     * symbolic link or other non-regular file at {@code file}; a directory holding it that is group-
     * or world-writable (even sticky, like /tmp, where a link can be planted at a name not yet
     * created); or any directory on its real path owned by someone other than root or this user, or
     * writable by others without the sticky bit.
     */
    static void requireSafeLocation(Path file) {
        FileLog.safeLocation(file);
    }

    /** Lines to a stream, e.g. stderr of a training run. */
    static HandlerLog stream(PrintStream out) {
        return new HandlerLog() {
            @Override
            public void info(String line) {
                out.println("guest-attest keys upcall: " + line);
            }

            @Override
            public void error(String line) {
                out.println("guest-attest keys upcall: error: " + line);
            }
        };
    }

    /** syslog(3), facility LOG_USER, identity "guest-attest". */
    static HandlerLog syslog() {
        return new HandlerLog() {
            @Override
            public void info(String line) {
                Syslog.log(Syslog.LOG_INFO, line);
            }

            @Override
            public void error(String line) {
                Syslog.log(Syslog.LOG_ERR, line);
            }
        };
    }

    /** libc's syslog through JNA's varargs-aware interface mapping. */
    final class Syslog {
        static final int LOG_ERR = 3;
        static final int LOG_INFO = 6;
        private static final int LOG_PID = 0x01;
        private static final int LOG_USER = 8;
        /** openlog keeps the pointer, so the identity lives as long as the class. */
        private static final Memory IDENT = new Memory(16);
        private static final CLib C;

        interface CLib extends Library {
            void openlog(Memory ident, int option, int facility);

            void syslog(int priority, String format, Object... args);
        }

        static {
            IDENT.setString(0, "guest-attest", "US-ASCII");
            C = Native.load("c", CLib.class);
            C.openlog(IDENT, LOG_PID, LOG_USER);
        }

        private Syslog() {
        }

        static synchronized void log(int priority, String line) {
            C.syslog(priority, "%s", line);
        }
    }
}
