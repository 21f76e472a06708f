// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.net;

/**
 * What a failure to reach a host says, for one-line messages: its own type and words. The JDK's
 * network exceptions often carry none of their own ("cannot be reached: null" helped nobody), so the
 * words come from the first exception of the chain that has some. Used wherever this project
 * connects: the broker clients, the swtpm probe, doctor.
 */
public final class NetworkFailures {
    private NetworkFailures() {
    }

    /** The failure as "Type: message" from the first exception of its chain that has words; an unresolvable name says so. */
    public static String describe(Throwable e) {
        Throwable worded = null;
        Throwable last = e;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return t.getClass().getSimpleName() + ": the host name does not resolve";
            }
            if (worded == null && t.getMessage() != null && !t.getMessage().isBlank()) {
                worded = t;
            }
            last = t;
        }
        if (worded == null) {
            if (e instanceof java.net.ConnectException) {
                // the JDK's HTTP client loses the socket's own words ("Connection refused") on its way out
                return e.getClass().getSimpleName() + ": the connection was refused or the host is unreachable";
            }
            return last == e ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " (" + last.getClass().getSimpleName() + ")";
        }
        String line = worded.getMessage().lines().findFirst().orElse("").strip();
        return (worded == e ? e.getClass().getSimpleName() : worded.getClass().getSimpleName()) + ": " + line;
    }
}
