// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.linux;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;

/**
 * The Linux errno values Linux guest ABIs (configfs-tsm, vendor devices) produce (generic numbering, the same on x86-64,
 * arm64, riscv64 and s390x) and their meaning for a report (linux-abi.md §1.7).
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int EBADMSG = 74;
    public static final int EOPNOTSUPP = 95;
    public static final int ENFILE = 23;
    public static final int EDEADLK = 35;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EAGAIN = 11;
    public static final int EMSGSIZE = 90;
    public static final int ETIMEDOUT = 110;
    public static final int EDQUOT = 122;
    public static final int ENOKEY = 126;
    public static final int EKEYEXPIRED = 127;
    public static final int EKEYREVOKED = 128;
    public static final int EKEYREJECTED = 129;

    private Errno() {
    }

    public static Reason reason(int errno) {
        return switch (errno) {
            case EINVAL, ERANGE -> Reason.INVALID_ARGUMENT;
            case EFBIG -> Reason.TOO_LARGE;
            case ENXIO -> Reason.NO_PROVIDER;
            case EBUSY, ETXTBSY -> Reason.BUSY;
            case EINTR -> Reason.INTERRUPTED;
            case ETIMEDOUT -> Reason.TIMEOUT;
            case EACCES, EPERM, EROFS -> Reason.PERMISSION_DENIED;
            case ENOENT, ENOTDIR, EOPNOTSUPP, ENOSYS -> Reason.UNSUPPORTED;
            case EAGAIN -> Reason.GENERATION_CHANGED;
            case ENOKEY -> Reason.KEY_NOT_FOUND;
            case EKEYREVOKED -> Reason.KEY_REVOKED;
            case EKEYEXPIRED -> Reason.KEY_EXPIRED;
            case EKEYREJECTED -> Reason.KEY_REJECTED;
            case EDQUOT -> Reason.QUOTA_EXCEEDED;
            default -> Reason.DEVICE_ERROR; // EIO, ENOMEM, ENOTTY (SNP VMPCK wiped), EBADMSG, ...
        };
    }

    /**
     * The errno that stands for {@code reason} when a failure must be handed back to the kernel, e.g.
     * when a request-key handler rejects a key: the inverse of {@link #reason(int)}.
     */
    public static int of(Reason reason) {
        return switch (reason) {
            case INVALID_ARGUMENT -> EINVAL;
            case TOO_LARGE -> EFBIG;
            case NO_PROVIDER -> ENXIO;
            case PROVIDER_CONFLICT, BUSY -> EBUSY;
            case TIMEOUT -> ETIMEDOUT;
            case INTERRUPTED -> EINTR;
            case UNSUPPORTED -> EOPNOTSUPP;
            case GENERATION_CHANGED -> EAGAIN;
            case DEVICE_ERROR, IO_ERROR -> EIO;
            case PERMISSION_DENIED, REFUSED -> EACCES;
            case KEY_NOT_FOUND -> ENOKEY;
            case KEY_REVOKED -> EKEYREVOKED;
            case KEY_EXPIRED -> EKEYEXPIRED;
            case KEY_REJECTED -> EKEYREJECTED;
            case QUOTA_EXCEEDED -> EDQUOT;
        };
    }

    /** The errno {@code e} carries, else the one that stands for its reason. */
    public static int of(AttestationException e) {
        return e.errno().orElse(of(e.reason()));
    }

    /** The symbolic name, e.g. {@code EINVAL}, or {@code errno N} for one this class does not know. */
    public static String name(int errno) {
        String explained = explain(errno);
        int colon = explained.indexOf(':');
        return colon < 0 ? explained : explained.substring(0, colon);
    }

    /** What the kernel means by {@code errno} on a configfs-tsm file, for one-line messages. */
    public static String explain(int errno) {
        return switch (errno) {
            case EINVAL -> "EINVAL: input rejected by the provider (length, privlevel or service fields)";
            case ERANGE -> "ERANGE: number out of range";
            case EFBIG -> "EFBIG: blob larger than the kernel's limit";
            case ENXIO -> "ENXIO: no provider registered with configfs-tsm";
            case EBUSY -> "EBUSY: busy (quote in flight or generation wrap guard)";
            case ETXTBSY -> "ETXTBSY: concurrent read and write on one file";
            case EINTR -> "EINTR: interrupted";
            case ETIMEDOUT -> "ETIMEDOUT: the quoting service did not answer in time";
            case EIO -> "EIO: firmware, hypercall or quoting service failure";
            case ENOMEM -> "ENOMEM: out of memory";
            case ENOTTY -> "ENOTTY: device disabled (e.g. SNP VMPCK wiped) or not supported";
            case EBADMSG -> "EBADMSG: malformed response from the firmware";
            case EACCES -> "EACCES: permission denied (run as root)";
            case EPERM -> "EPERM: operation not permitted (run as root)";
            case EROFS -> "EROFS: read-only file system";
            case ENOENT -> "ENOENT: not present";
            case EEXIST -> "EEXIST: already exists";
            case EAGAIN -> "EAGAIN: try again";
            case EMSGSIZE -> "EMSGSIZE: message too long";
            case ENOSYS -> "ENOSYS: system call not available";
            case EOPNOTSUPP -> "EOPNOTSUPP: operation not supported";
            case EDQUOT -> "EDQUOT: key quota exceeded";
            case ENOKEY -> "ENOKEY: required key not available";
            case EKEYEXPIRED -> "EKEYEXPIRED: key has expired";
            case EKEYREVOKED -> "EKEYREVOKED: key has been revoked";
            case EKEYREJECTED -> "EKEYREJECTED: key was rejected by service";
            default -> "errno " + errno;
        };
    }
}
