// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import dev.guestattest.core.AttestationException;
import java.time.Duration;
import java.util.Optional;

/** A fetch that failed for a known cause; turned into an {@link AttestationException} where it leaves the service. */
final class FetchFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Failure failure;
    private final transient Optional<Duration> retryAfter;

    FetchFailed(Failure failure, String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.failure = failure;
        this.retryAfter = retryAfter;
    }

    FetchFailed(Failure failure, String message) {
        this(failure, message, Optional.empty());
    }

    Failure failure() {
        return failure;
    }

    Optional<Duration> retryAfter() {
        return retryAfter;
    }

    AttestationException toException() {
        return AttestationException.of(failure.reason(), getMessage());
    }
}
