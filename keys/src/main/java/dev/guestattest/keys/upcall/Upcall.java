// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;

/**
 * One request-key upcall as the handler's configuration line passes it: {@code %o %k %c %S %u}, the
 * operation ("create"), the key under construction, the callout, the requester's session keyring
 * and the key's uid (the requester's).
 */
public record Upcall(String op, int key, String callout, int sessionKeyring, long uid) {
    public static Upcall parse(String op, String key, String callout, String sessionKeyring, String uid) {
        return new Upcall(op, serial("key", key, false), callout, serial("session keyring", sessionKeyring, true),
                Requesters.parseUid("uid", uid));
    }

    private static int serial(String field, String text, boolean zeroAllowed) {
        try {
            int v = Integer.parseInt(text);
            if (v > 0 || (zeroAllowed && v == 0)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw AttestationException.invalid(field, "'" + text + "' is not a key serial (1..2147483647)");
    }
}
