// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import dev.guestattest.core.AttestationException;

/**
 * A key's 32-bit permission mask: four bytes for possessor, user, group and other, each holding
 * VIEW, READ, WRITE, SEARCH, LINK and SETATTR bits (linux-abi.md §4.1).
 */
public record KeyPermissions(int mask) {
    public static final int VIEW = 0x01;
    public static final int READ = 0x02;
    public static final int WRITE = 0x04;
    public static final int SEARCH = 0x08;
    public static final int LINK = 0x10;
    public static final int SETATTR = 0x20;
    public static final int ALL = 0x3f;

    /** Possessor may do everything, the owner may only see that the key exists: a sealed secret's default. */
    public static final KeyPermissions POSSESSOR_ONLY = new KeyPermissions(ALL << 24 | VIEW << 16);

    public KeyPermissions {
        if ((mask & ~0x3f3f3f3f) != 0) {
            throw AttestationException.invalid("permissions", String.format("0x%08x sets bits outside the six per class (mask 0x3f3f3f3f)", mask));
        }
    }

    /** Parses {@code 0x3f010000} or {@code 3f010000}, as keyctl setperm prints and takes them. */
    public static KeyPermissions parse(String text) {
        String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw AttestationException.invalid("permissions", "'" + text + "' is not a hex mask of up to 8 digits, e.g. 0x3f010000");
        }
        return new KeyPermissions((int) Long.parseLong(hex, 16));
    }

    public static KeyPermissions of(int possessor, int user, int group, int other) {
        return new KeyPermissions(possessor << 24 | user << 16 | group << 8 | other);
    }

    public int possessor() {
        return mask >>> 24 & ALL;
    }

    public int user() {
        return mask >>> 16 & ALL;
    }

    @Override
    public String toString() {
        return String.format("0x%08x", mask);
    }
}
