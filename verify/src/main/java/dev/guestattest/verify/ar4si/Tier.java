// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.ar4si;

import java.util.Locale;

/** AR4SI trust tiers, in increasing order of concern, with their EAR codes. */
public enum Tier {
    NONE(0), AFFIRMING(2), WARNING(32), CONTRAINDICATED(96);

    private final int code;

    Tier(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The name EAR's JSON form uses: "affirming", ... */
    public String earName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tier of one trustworthiness claim value (-128..127). */
    public static Tier of(int value) {
        int v = Math.abs(value);
        if (value >= -1 && value <= 1) {
            return NONE;
        }
        if (v <= 31 || value == -32) {
            return AFFIRMING;
        }
        return value >= 32 && value <= 95 || value <= -33 && value >= -96 ? WARNING : CONTRAINDICATED;
    }
}
