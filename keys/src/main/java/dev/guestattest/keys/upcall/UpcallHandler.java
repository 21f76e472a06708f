// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.concurrent.BoundedCall;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.Attester;
import dev.guestattest.keys.abi.AttestDescription;
import dev.guestattest.keys.abi.Callout;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyInfo;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The request-key handler for {@code user} keys described {@code guest_attest:<level>:<id>}: the
 * key's payload becomes the evidence for the callout's data, for the uids it serves only (others get
 * EACCES: it runs as root for whoever asks). Every failure rejects the key with an
 * errno that says why and a short timeout, so the caller's request_key fails at once and a retry
 * after the timeout starts afresh; the provider gets a bounded time.
 */
public final class UpcallHandler {
    /** The kernel key type the handler serves (the 2023 proposal's own type never merged). */
    public static final String KEY_TYPE = "user";

    private final KeyCompletion kernel;
    private final Attester attester;
    private final Requesters requesters;
    private final Duration bound;
    private final Duration negativeTimeout;
    private final HandlerLog log;

    public UpcallHandler(KeyCompletion kernel, Attester attester, Requesters requesters, Duration bound, Duration negativeTimeout,
                         HandlerLog log) {
        this.kernel = kernel;
        this.attester = attester;
        this.requesters = requesters;
        this.bound = bound;
        this.negativeTimeout = negativeTimeout;
        this.log = log;
    }

    /** What became of the key. */
    public record Outcome(boolean instantiated, int errno, String message) {
    }

    public Outcome handle(Upcall upcall) {
        long start = System.nanoTime();
        String what = "key " + upcall.key();
        try {
            KeyInfo info = kernel.describe(upcall.key());
            what = "key " + upcall.key() + " " + info.type() + ":" + info.description();
            requesters.require(upcall.uid(), info); // before anything reaches the provider
            if (!upcall.op().equals("create")) {
                throw AttestationException.of(Reason.UNSUPPORTED, "operation '" + upcall.op() + "': only 'create' is handled");
            }
            if (!info.type().equals(KEY_TYPE)) {
                throw AttestationException.invalid("key type", "'" + info.type() + "'; the handler serves only '" + KEY_TYPE + "' keys");
            }
            ReportRequest request = Callout.request(AttestDescription.parse(info.description()), upcall.callout());
            Report report = attestWithin(request);
            byte[] evidence = report.outblob().toArray();
            if (evidence.length > KernelKeys.MAX_USER_PAYLOAD) {
                throw AttestationException.of(Reason.TOO_LARGE, "evidence from " + report.provider() + ": " + evidence.length
                        + " bytes exceeds the user key payload limit of " + KernelKeys.MAX_USER_PAYLOAD + " bytes");
            }
            kernel.instantiate(upcall.key(), evidence, upcall.sessionKeyring());
            String message = what + ": instantiated with " + evidence.length + " bytes of evidence from " + report.provider()
                    + " in " + millis(start) + " ms";
            log.info(message);
            return new Outcome(true, 0, message);
        } catch (AttestationException e) {
            return reject(upcall, what, Errno.of(e), e.getMessage(), start);
        } catch (RuntimeException e) {
            // a provider bug must still end in a rejected key, never a hung request
            return reject(upcall, what, Errno.EIO, "internal error: " + e.getClass().getName(), start);
        }
    }

    private Report attestWithin(ReportRequest request) {
        try {
            return BoundedCall.within("guest-attest-upcall-provider", bound, () -> attester.attest(request));
        } catch (TimeoutException e) {
            throw AttestationException.of(Reason.TIMEOUT, "the provider did not answer within " + bound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted while waiting for the provider");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AttestationException ae) {
                throw ae;
            }
            throw AttestationException.of(Reason.DEVICE_ERROR, "provider failed: " + e.getCause().getClass().getName());
        }
    }

    private Outcome reject(Upcall upcall, String what, int errno, String why, long start) {
        String message = what + ": rejected with " + Errno.name(errno) + " (" + why + ") after " + millis(start) + " ms";
        try {
            kernel.reject(upcall.key(), negativeTimeout, errno, upcall.sessionKeyring());
        } catch (AttestationException e) {
            message += "; rejecting the key failed too: " + e.getMessage();
        }
        log.error(message);
        return new Outcome(false, errno, message);
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
