// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as settings files and options spell them: {@code 500ms}, {@code 20s}, {@code 5m}, {@code 12h}, {@code 90d}, or ISO-8601. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final long[] UNITS = {86_400_000, 3_600_000, 60_000, 1_000, 1};
    private static final String[] NAMES = {"d", "h", "m", "s", "ms"};

    private Durations() {
    }

    /** {@code d} in its largest whole unit: 300000 ms is {@code 5m}. */
    public static String text(Duration d) {
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

    public static Optional<Duration> parse(String text) {
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
