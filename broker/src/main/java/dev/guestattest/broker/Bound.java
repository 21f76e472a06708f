// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.core.AttestationException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The range one setting must fall in, named as the code and a settings file name it: one bound for
 * both, so a value the file may not hold the code may not either. Durations are in milliseconds and
 * read and written as {@code 500ms}, {@code 20s}, {@code 5m}, {@code 12h}, {@code 90d} (or ISO-8601).
 */
record Bound(String field, long min, long max, boolean millis) {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final long[] UNITS = {86_400_000, 3_600_000, 60_000, 1_000, 1};
    private static final String[] NAMES = {"d", "h", "m", "s", "ms"};

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

    /** {@code d} in its largest whole unit: 300000 ms is {@code 5m}. */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        for (int i = 0; i < UNITS.length; i++) {
            if (ms % UNITS[i] == 0) {
                return ms / UNITS[i] + NAMES[i];
            }
        }
        throw new IllegalStateException("every whole number of milliseconds is a whole number of ms");
    }

    static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        try {
            if (m.matches()) {
                long unit = UNITS[java.util.Arrays.asList(NAMES).indexOf(m.group(2))];
                return Optional.of(Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), unit)));
            }
            if (text.strip().startsWith("P")) {
                Duration d = Duration.parse(text.strip());
                d.toMillis(); // one that does not fit in milliseconds is no setting
                return Optional.of(d);
            }
        } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
            // not a duration this reads
        }
        return Optional.empty();
    }
}
