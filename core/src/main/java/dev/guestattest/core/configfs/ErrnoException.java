// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import dev.guestattest.core.linux.Errno;
import java.nio.file.Path;

/** A failed file-system call on configfs, with the kernel's errno. Mapped to the public type by the client. */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(int errno, String op, Path path) {
        super(op + " " + path + ": " + Errno.explain(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
