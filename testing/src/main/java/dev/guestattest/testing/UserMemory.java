// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.core.linux.Errno;

/**
 * The fakes' copy_from_user and copy_to_user: ioctl structs hold addresses of further buffers,
 * which a fake kernel follows as the real one does. A null address or a short argument is EFAULT.
 */
final class UserMemory {
    /** Not in core's {@link Errno}: only a kernel copying user memory produces it. */
    static final int EFAULT = 14;

    private UserMemory() {
    }

    static byte[] read(long address, int length, String what) {
        if (address == 0) {
            throw new SyscallException(what + ": null address", EFAULT);
        }
        return new Pointer(address).getByteArray(0, length);
    }

    static void write(long address, byte[] data, String what) {
        if (address == 0) {
            throw new SyscallException(what + ": null address", EFAULT);
        }
        new Pointer(address).write(0, data, 0, data.length);
    }

    /** The ioctl argument, which must be at least {@code size} bytes. */
    static byte[] argument(Memory arg, int size, String what) {
        if (arg.size() < size) {
            throw new SyscallException(what + ": argument of " + arg.size() + " bytes, the struct has " + size, EFAULT);
        }
        return arg.getByteArray(0, size);
    }
}
