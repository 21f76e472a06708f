// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The one exception type of GuestAttest. The message names the field and the limit that was
 * violated, or the device and what to do; it never carries secret bytes.
 */
public final class AttestationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Reason reason;
    private final Integer errno;
    private final Long vendorStatus;
    private final String field;

    private AttestationException(Reason reason, String message, Integer errno, Long vendorStatus, String field, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.errno = errno;
        this.vendorStatus = vendorStatus;
        this.field = field;
    }

    public static AttestationException of(Reason reason, String message) {
        return new AttestationException(reason, message, null, null, null, null);
    }

    public static AttestationException of(Reason reason, String message, Throwable cause) {
        return new AttestationException(reason, message, null, null, null, cause);
    }

    /** A failure reported by the kernel as an errno. */
    public static AttestationException fromErrno(Reason reason, int errno, String message) {
        return new AttestationException(reason, message, errno, null, null, null);
    }

    /** A failure reported by the device, firmware or quoting service with its own status code. */
    public static AttestationException device(long vendorStatus, String message) {
        return new AttestationException(Reason.DEVICE_ERROR, message, null, vendorStatus, null, null);
    }

    /** An invalid field: {@code "<field>: <what is wrong and the limit>"}. */
    public static AttestationException invalid(String field, String problem) {
        return new AttestationException(Reason.INVALID_ARGUMENT, field + ": " + problem, null, null, field, null);
    }

    public static AttestationException tooLarge(String field, long size, long limit) {
        return of(Reason.TOO_LARGE, field + ": " + size + " bytes exceeds the limit of " + limit + " bytes");
    }

    /** The field an {@link #invalid} names (so a document reader can point at its line), when it names one. */
    public java.util.Optional<String> field() {
        return java.util.Optional.ofNullable(field);
    }

    /** The problem without the field, for an exception that names one; else the message. */
    public String problem() {
        return field == null ? getMessage() : getMessage().substring(field.length() + 2);
    }

    public Reason reason() {
        return reason;
    }

    /** The kernel errno behind this failure, when it came from a syscall. */
    public OptionalInt errno() {
        return errno == null ? OptionalInt.empty() : OptionalInt.of(errno);
    }

    /** The vendor's status code (e.g. TDX GetQuote status, SNP firmware error), when known. */
    public OptionalLong vendorStatus() {
        return vendorStatus == null ? OptionalLong.empty() : OptionalLong.of(vendorStatus);
    }
}
