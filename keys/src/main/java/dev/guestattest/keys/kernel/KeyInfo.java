// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;

/** What KEYCTL_DESCRIBE says of a key: {@code type;uid;gid;perm;description}. */
public record KeyInfo(int serial, String type, long uid, long gid, KeyPermissions permissions, String description) {
    static KeyInfo parse(int serial, String described) {
        String[] f = described.split(";", 5);
        if (f.length != 5) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "describe key " + serial + ": unexpected kernel answer (" + f.length
                    + " of 5 fields)");
        }
        try {
            return new KeyInfo(serial, f[0], Long.parseLong(f[1]), Long.parseLong(f[2]),
                    new KeyPermissions((int) Long.parseLong(f[3], 16)), f[4]);
        } catch (NumberFormatException e) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "describe key " + serial + ": unexpected kernel answer: " + e.getMessage());
        }
    }
}
