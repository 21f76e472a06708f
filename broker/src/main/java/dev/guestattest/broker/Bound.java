// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The range one setting must fall in, named as the code and a settings file name it: one bound for
 * both, so a value the file may not hold the code may not either. Durations are in milliseconds and
 * read and written as {@code 500ms}, {@code 20s}, {@code 5m}, {@code 12h}, {@code 90d} (or ISO-8601).
 */
record Bound(String field, long min, long max, boolean millis) {

    static Bound count(String field, long min, long max) {
        return new Bound(field, min, max, false);
    }

    static Bound duration(String field, Duration min, Duration max) {
        return new Bound(field, min.toMillis(), max.toMillis(), true);
    }

    /** The field as a settings file spells it: snake_case. */
    String fileName() {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** What is wrong with {@code value}, in the words every range error here uses. */
    Optional<String> problem(long value) {
        return value >= min && value <= max ? Optional.empty()
                : Optional.of(show(value) + " is outside " + show(min) + ".." + show(max));
    }

    int check(int value) {
        return (int) check((long) value);
    }

    long check(long value) {
        problem(value).ifPresent(p -> {
            throw AttestationException.invalid(field, p);
        });
        return value;
    }

    Duration check(Duration value) {
        check(value.toMillis());
        return value;
    }

    private String show(long value) {
        return millis ? text(Duration.ofMillis(value)) : Long.toString(value);
    }

    static String text(Duration d) {
        return Durations.text(d);
    }

    static Optional<Duration> parseDuration(String text) {
        return Durations.parse(text);
    }
}
