// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.device;

import dev.guestattest.core.linux.Errno;

/**
 * A failed open, ioctl or close on a character device, with the kernel's errno. Fakes throw it to
 * play the kernel; {@link DeviceFile} maps it to the public {@code AttestationException}.
 */
public final class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /**
     * @param call the call and its target, e.g. {@code open /dev/sev-guest}
     * @param errno the positive errno
     */
    public SyscallException(String call, int errno) {
        super(call + ": " + Errno.explain(errno));
        if (errno <= 0) {
            throw new IllegalArgumentException("errno: must be positive, got " + errno);
        }
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
