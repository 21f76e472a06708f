// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.device;

import com.sun.jna.Memory;
import java.nio.file.Path;

/**
 * The seam under every vendor character device ({@code /dev/tdx_guest}, {@code /dev/sev-guest},
 * {@code /dev/uv}): open, ioctl, close, as go-sev-guest's {@code Device} interface. Vendor devices
 * take one by injection, {@link #linux()} by default, so tests can put a fake kernel behind the
 * real marshalling code. Failures are {@link SyscallException}s carrying the kernel's errno;
 * {@link DeviceFile} turns them into {@code AttestationException}s.
 */
public interface CharDevice {
    /**
     * open(2) read-write and close-on-exec. Each call gets its own handle, so one device may serve
     * concurrent requests.
     *
     * @throws SyscallException with the errno the kernel returned
     */
    Handle open(Path path);

    /** The real device: libc's open, ioctl and close through JNA. */
    static CharDevice linux() {
        return LinuxCharDevice.INSTANCE;
    }

    /** One open file; used by one thread, closed exactly once. */
    interface Handle extends AutoCloseable {
        /**
         * ioctl(2) with {@code arg} as the in-out argument: the kernel reads and writes it in place,
         * and follows any addresses it holds.
         *
         * @return the ioctl's non-negative result
         * @throws SyscallException with the errno the kernel returned
         */
        int ioctl(long request, Memory arg);

        /** {@link #ioctl(long, Memory)} on a copy of {@code arg}; returns the argument as the kernel left it. */
        default byte[] ioctl(long request, byte[] arg) {
            try (Memory m = new Memory(Math.max(1, arg.length))) {
                m.write(0, arg, 0, arg.length);
                ioctl(request, m);
                return m.getByteArray(0, arg.length);
            }
        }

        /**
         * close(2).
         *
         * @throws SyscallException with the errno the kernel returned
         */
        @Override
        void close();
    }
}
