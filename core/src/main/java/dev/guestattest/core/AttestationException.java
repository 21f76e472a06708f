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

    private AttestationException(Reason reason, String message, Integer errno, Long vendorStatus, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.errno = errno;
        this.vendorStatus = vendorStatus;
    }

    public static AttestationException of(Reason reason, String message) {
        return new AttestationException(reason, message, null, null, null);
    }

    public static AttestationException of(Reason reason, String message, Throwable cause) {
        return new AttestationException(reason, message, null, null, cause);
    }

    /** A failure reported by the kernel as an errno. */
    public static AttestationException fromErrno(Reason reason, int errno, String message) {
        return new AttestationException(reason, message, errno, null, null);
    }

    /** A failure reported by the device, firmware or quoting service with its own status code. */
    public static AttestationException device(long vendorStatus, String message) {
        return new AttestationException(Reason.DEVICE_ERROR, message, null, vendorStatus, null);
    }

    /** An invalid field: {@code "<field>: <what is wrong and the limit>"}. */
    public static AttestationException invalid(String field, String problem) {
        return of(Reason.INVALID_ARGUMENT, field + ": " + problem);
    }

    public static AttestationException tooLarge(String field, long size, long limit) {
        return of(Reason.TOO_LARGE, field + ": " + size + " bytes exceeds the limit of " + limit + " bytes");
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
