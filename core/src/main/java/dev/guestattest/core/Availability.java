// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.util.Objects;

/** Whether a provider can run here, and if not, why (shown by {@code guest-attest providers}). */
public record Availability(boolean available, String detail) {
    public Availability {
        Objects.requireNonNull(detail, "detail");
    }

    public static Availability yes(String detail) {
        return new Availability(true, detail);
    }

    public static Availability no(String why) {
        return new Availability(false, why);
    }
}
