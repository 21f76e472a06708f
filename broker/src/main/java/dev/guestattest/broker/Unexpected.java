// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Words for an exception no check anticipated (a verifier's ArrayIndexOutOfBounds on crafted
 * evidence): its type and a scrubbed message for the caller, and where it was thrown for the log.
 * Neither carries the input's bytes, which the message may quote and the caller already has.
 */
public final class Unexpected {
    /** Long runs of hex or base64 are key material or the guest's bytes; neither belongs in a refusal or a log line. */
    private static final java.util.regex.Pattern BLOB = java.util.regex.Pattern.compile("[A-Za-z0-9+/=_-]{32,}");
    private static final int MAX_MESSAGE = 160;

    private Unexpected() {
    }

    /** {@code Type: message}, the message cut to its first line, its blobs elided and its length bounded. */
    public static String describe(Throwable e) {
        String type = e.getClass().getSimpleName();
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return type;
        }
        String line = BLOB.matcher(m.lines().findFirst().orElse("").replaceAll("\\p{Cntrl}", "?")).replaceAll("…");
        return type + ": " + (line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "…" : line);
    }

    /** The type and the top frames, without the message: enough to find a bug, nothing of the input. */
    public static String where(Throwable e) {
        return e.getClass().getName() + " at " + Arrays.stream(e.getStackTrace()).limit(8).map(StackTraceElement::toString)
                .collect(Collectors.joining(" < "));
    }
}
