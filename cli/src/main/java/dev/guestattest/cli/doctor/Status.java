// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.util.Locale;

/** A finding's verdict: only {@link #FAIL} makes doctor exit 1. */
public enum Status {
    OK, WARN, FAIL, SKIP;

    /** The lower-case name the JSON output uses. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
