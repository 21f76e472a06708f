// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.linux;

/** JNA's start-up, for a process's own {@code main} (it sets a system property for the whole process). */
public final class JnaStartup {
    private static final String PLATFORM_PATH = "jna.platform.library.path";

    private JnaStartup() {
    }

    /**
     * JNA learns the library directories from {@code ldconfig -p} on first use, a process of its own
     * (~30 ms of a one-shot upcall), unless {@code jna.platform.library.path} is set. This project
     * loads only glibc's libc.so.6, which the dynamic linker finds by itself, so a main that loads
     * nothing else sets it empty; a value the user gave is kept.
     */
    public static void withoutLdconfig() {
        if (System.getProperty(PLATFORM_PATH) == null) {
            System.setProperty(PLATFORM_PATH, "");
        }
    }
}
