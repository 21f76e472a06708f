// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.fetch.HttpFetch;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * GETs with the vendors' throttling in mind: a 429 or 503 is retried after its {@code Retry-After}
 * (seconds or an HTTP date) or an exponential backoff, within a bounded total wait; every other
 * outcome is classified ({@link Failure}) so the caller reports what happened.
 */
final class Fetcher {
    private final HttpFetch http;
    private final Duration timeout;
    private final int attempts;
    private final Duration retryBudget;

    Fetcher(Duration timeout, int attempts, Duration retryBudget) {
        this.http = new HttpFetch(timeout, Document.MAX_BODY);
        this.timeout = timeout;
        this.attempts = attempts;
        this.retryBudget = retryBudget;
    }

    HttpFetch.Response get(URI uri, String what) {
        long waited = 0;
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            HttpFetch.Response r;
            try {
                r = http.get(uri);
            } catch (AttestationException e) {
                if (e.reason() == Reason.INTERRUPTED) {
                    throw e;
                }
                if (e.reason() == Reason.TOO_LARGE) {
                    throw new FetchFailed(Failure.BAD_DOCUMENT, "the " + what + " from " + uri + " was refused and not cached: " + e.getMessage());
                }
                String why = e.reason() == Reason.TIMEOUT ? "did not answer within " + timeout.toMillis() + " ms" : "is unreachable ("
                        + e.getMessage().replaceFirst("^cannot fetch \\S+: ", "") + ")";
                throw new FetchFailed(Failure.UNREACHABLE, endpoint(uri) + " " + why + " fetching the " + what);
            }
            int s = r.status();
            if (s == 200) {
                return r;
            }
            String detail = r.header("Error-Message").or(() -> r.header("Error-Code")).map(m -> ": " + m).orElse("");
            if (s == 404) {
                throw new FetchFailed(Failure.NOT_FOUND, endpoint(uri) + " has no " + what + " (HTTP 404" + detail + ")");
            }
            if (s != 429 && s != 503) {
                throw new FetchFailed(s >= 500 ? Failure.SERVER_ERROR : Failure.REFUSED, endpoint(uri) + " answered HTTP " + s + detail
                        + " for the " + what);
            }
            Optional<Duration> retryAfter = r.header("Retry-After").flatMap(Fetcher::retryAfter);
            long delay = retryAfter.map(Duration::toMillis).orElse(backoff);
            if (attempt >= attempts || waited + delay > retryBudget.toMillis()) {
                throw new FetchFailed(Failure.THROTTLED, endpoint(uri) + " is throttling (HTTP " + s + ") the " + what + " after " + attempt
                        + " attempt(s)" + retryAfter.map(d -> "; it asks to retry after " + d.toSeconds() + " s").orElse(""), retryAfter);
            }
            sleep(delay, uri);
            waited += delay;
            backoff = Math.min(backoff * 2, 30_000);
        }
    }

    /** {@code Retry-After}: delta-seconds or an IMF-fixdate (RFC 9110 §10.2.3). */
    static Optional<Duration> retryAfter(String value) {
        String v = value.strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(java.time.Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    /** Scheme, host and port, always with the port, so an operator sees exactly what was tried. */
    private static String endpoint(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return uri.getScheme() + "://" + uri.getHost() + ":" + port;
    }

    private static void sleep(long ms, URI uri) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted waiting to retry " + uri);
        }
    }
}
