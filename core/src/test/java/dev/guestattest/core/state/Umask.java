// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.function.Supplier;

/**
 * Runs code under another umask(2), e.g. 000, where a file is created with exactly the mode its
 * open asked for: code that relies on the umask, then chmods, shows its window there. The umask is
 * the process's, so tests using it must not run in parallel with others that create files.
 */
public final class Umask {
    private interface C extends Library {
        int umask(int mask);
    }

    private static final C LIBC = Native.load("c", C.class);

    private Umask() {
    }

    public static synchronized <T> T with(int mask, Supplier<T> action) {
        int old = LIBC.umask(mask);
        try {
            return action.get();
        } finally {
            LIBC.umask(old);
        }
    }
}
