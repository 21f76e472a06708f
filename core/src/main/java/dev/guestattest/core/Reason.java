// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

/**
 * Why an attestation operation failed. Each reason mirrors an errno of the configfs-tsm ABI
 * (linux-abi.md §1.7) so that real and emulated backends report failures the same way.
 */
public enum Reason {
    /**
     * A check said no: a broker refused to attest or release, a policy denied (the HTTP 401/403 of
     * a key broker), a released key is not the one a directory is encrypted with. Not an error of
     * this machine or of the caller's input.
     */
    REFUSED(Category.REFUSED),
    /** A field is outside its limits or malformed (EINVAL). */
    INVALID_ARGUMENT(Category.INPUT),
    /** A blob is larger than its limit (EFBIG). */
    TOO_LARGE(Category.INPUT),
    /** No provider is registered or available (ENXIO). */
    NO_PROVIDER(Category.ENVIRONMENT),
    /** Another provider already holds the single registration slot (EBUSY on register). */
    PROVIDER_CONFLICT(Category.ENVIRONMENT),
    /** The provider or device is busy; retry later (EBUSY). */
    BUSY(Category.ENVIRONMENT),
    /** A bounded wait ran out (ETIMEDOUT). */
    TIMEOUT(Category.ENVIRONMENT),
    /** The calling thread was interrupted while waiting (EINTR). */
    INTERRUPTED(Category.ENVIRONMENT),
    /** The operation or attribute does not exist for this provider or platform. */
    UNSUPPORTED(Category.ENVIRONMENT),
    /** Another writer changed the inputs between this caller's write and read. */
    GENERATION_CHANGED(Category.ENVIRONMENT),
    /** The device, firmware or quoting service failed; carries the vendor status when known (EIO). */
    DEVICE_ERROR(Category.ENVIRONMENT),
    /** The caller may not use the device or file (EACCES, EPERM). */
    PERMISSION_DENIED(Category.ENVIRONMENT),
    /** A local file or directory could not be read or written (state directory, output file). */
    IO_ERROR(Category.ENVIRONMENT),
    /** No key matches the type and description (ENOKEY), or a key was negated. */
    KEY_NOT_FOUND(Category.ENVIRONMENT),
    /** The key was revoked and can only be unlinked (EKEYREVOKED). */
    KEY_REVOKED(Category.ENVIRONMENT),
    /** The key's expiry time passed (EKEYEXPIRED). */
    KEY_EXPIRED(Category.ENVIRONMENT),
    /** The key's construction was rejected; the key's error is cached until its timeout (EKEYREJECTED). */
    KEY_REJECTED(Category.ENVIRONMENT),
    /** The owner's key count or byte quota is exhausted (EDQUOT). */
    QUOTA_EXCEEDED(Category.ENVIRONMENT);

    /** Coarse grouping used for exit codes: the caller's input, or the environment. */
    /** What a failure is, for a caller that must tell them apart (the CLI's exit codes 2, 3 and 1). */
    public enum Category {
        /** The caller's input is wrong. */
        INPUT,
        /** This machine, its devices or the network failed. */
        ENVIRONMENT,
        /** A check failed or a party refused. */
        REFUSED
    }

    private final Category category;

    Reason(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
