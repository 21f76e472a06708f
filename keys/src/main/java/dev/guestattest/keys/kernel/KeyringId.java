// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import dev.guestattest.core.AttestationException;

/** The kernel's special keyring IDs and keyctl's names for them ({@code @s}, {@code @u}, ...). */
public final class KeyringId {
    public static final int THREAD = -1;
    public static final int PROCESS = -2;
    public static final int SESSION = -3;
    public static final int USER = -4;
    public static final int USER_SESSION = -5;
    public static final int GROUP = -6;
    public static final int REQKEY_AUTH = -7;

    private KeyringId() {
    }

    /** {@code @t @p @s @u @us @g}, or a positive decimal serial. */
    public static int parse(String text) {
        switch (text) {
            case "@t": return THREAD;
            case "@p": return PROCESS;
            case "@s": return SESSION;
            case "@u": return USER;
            case "@us": return USER_SESSION;
            case "@g": return GROUP;
            default:
                try {
                    int id = Integer.parseInt(text);
                    if (id > 0) {
                        return id;
                    }
                } catch (NumberFormatException ignored) {
                    // falls through to the error that lists the accepted forms
                }
                throw AttestationException.invalid("keyring", "'" + text + "' is not @t, @p, @s, @u, @us, @g or a positive key ID");
        }
    }

    static String name(int id) {
        return switch (id) {
            case THREAD -> "@t";
            case PROCESS -> "@p";
            case SESSION -> "@s";
            case USER -> "@u";
            case USER_SESSION -> "@us";
            case GROUP -> "@g";
            case REQKEY_AUTH -> "request-key authorisation";
            default -> Integer.toString(id);
        };
    }
}
