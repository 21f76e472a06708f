// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc syscalls the Linux backends make, bound once with JNA direct mapping. Each throws
 * {@link LastErrorException} carrying the exact errno, which java.io would fold into messages.
 */
public final class Libc {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;

    static {
        Native.register("c");
    }

    private Libc() {
    }

    public static native int open(String path, int flags, int mode) throws LastErrorException;

    public static native long read(int fd, Pointer buf, long count) throws LastErrorException;

    public static native long write(int fd, Pointer buf, long count) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    /** {@code address}: the struct sockaddr of the socket's family, as bytes. */
    public static native int connect(int fd, byte[] address, int length) throws LastErrorException;

    public static native int mkdir(String path, int mode) throws LastErrorException;

    public static native int rmdir(String path) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    public static native int geteuid();
}
