package dev.guestattest.core.linux;

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
    public static final int ETIMEDOUT = 110;

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
            case ENOENT, ENOTDIR, EOPNOTSUPP -> Reason.UNSUPPORTED;
            default -> Reason.DEVICE_ERROR; // EIO, ENOMEM, ENOTTY (SNP VMPCK wiped), EBADMSG, ...
        };
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
            case EACCES, EPERM -> "EACCES: permission denied (run as root)";
            case EROFS -> "EROFS: read-only file system";
            case ENOENT -> "ENOENT: not present";
            case EEXIST -> "EEXIST: already exists";
            default -> "errno " + errno;
        };
    }
}
