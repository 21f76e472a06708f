// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import com.sun.jna.LastErrorException;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.linux.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;

/**
 * A bare AF_VSOCK connect, which Java has no socket for: whether anything listens at a CID and port.
 * The kernel bounds a vsock connect by itself (2 s by default); callers bound it again.
 */
final class Vsock {
    /** The host, as the guest sees it. */
    static final int HOST_CID = 2;
    private static final int AF_VSOCK = 40;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;

    private Vsock() {
    }

    /** Empty when the connect succeeded (then the socket is closed at once); else the errno. */
    static OptionalInt connect(int cid, int port) {
        int fd;
        try {
            fd = Libc.socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            return OptionalInt.of(e.getErrorCode());
        }
        try {
            Libc.connect(fd, address(cid, port), 16);
            return OptionalInt.empty();
        } catch (LastErrorException e) {
            return OptionalInt.of(e.getErrorCode());
        } finally {
            try {
                Libc.close(fd);
            } catch (LastErrorException ignored) {
                // nothing was sent: a failed close loses nothing
            }
        }
    }

    /** struct sockaddr_vm: family, reserved, port, cid, flags, 3 zero bytes; native byte order. */
    private static byte[] address(int cid, int port) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_VSOCK).putShort((short) 0).putInt(port).putInt(cid);
        return b.array();
    }

    /** The names of the errnos a vsock connect gives, for one-line messages. */
    static String explain(int errno) {
        return switch (errno) {
            case 97 -> "EAFNOSUPPORT: the kernel has no vsock support";
            case 19 -> "ENODEV: no vsock transport (no virtio-vsock device in this VM)";
            case 104 -> "ECONNRESET: nothing listens there";
            case 111 -> "ECONNREFUSED: nothing listens there";
            case 110 -> "ETIMEDOUT: no answer";
            case 113 -> "EHOSTUNREACH: the host is unreachable";
            case 1, 13 -> "permission denied";
            default -> Errno.explain(errno);
        };
    }
}
