// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.linux.Libc;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real TD's registers through the tsm-mr sysfs group
 * ({@code /sys/devices/virtual/misc/tdx_guest/measurements/}, Linux 6.16): one binary file per
 * register; an extend is one whole-register write, which the driver turns into TDG.MR.RTMR.EXTEND.
 */
public final class TdxSysfsRegisters implements MeasurementRegisters {
    public static final Path DEFAULT = Path.of("/sys/devices/virtual/misc/tdx_guest/measurements");

    private final Path dir;

    public TdxSysfsRegisters(Path dir) {
        this.dir = dir;
    }

    @Override
    public List<MeasurementRegister> registers() {
        return TdxRegisters.ALL;
    }

    @Override
    public Bytes read(String name) {
        Path f = dir.resolve(register(name).attributeName());
        try {
            byte[] v = Files.readAllBytes(f);
            return Bytes.of(v).checkLength(f.toString(), register(name).size());
        } catch (IOException e) {
            throw AttestationException.of(Files.exists(dir) ? Reason.IO_ERROR : Reason.UNSUPPORTED, "cannot read " + f + " ("
                    + e.getClass().getSimpleName() + "); needs Linux 6.16+ in a TD");
        }
    }

    @Override
    public Bytes extend(String name, Bytes digest) {
        MeasurementRegister r = checkExtend(name, digest);
        String path = dir.resolve(r.attributeName()).toString();
        int fd;
        try {
            fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure("open " + path, e.getErrorCode());
        }
        try (Memory m = new Memory(digest.length())) {
            m.write(0, digest.toArray(), 0, digest.length());
            long n = Libc.write(fd, m, digest.length());
            if (n != digest.length()) {
                throw AttestationException.of(Reason.DEVICE_ERROR, "write " + path + ": " + n + " of " + digest.length() + " bytes written");
            }
        } catch (LastErrorException e) {
            throw failure("extend " + path, e.getErrorCode());
        } finally {
            Libc.close(fd);
        }
        return read(name);
    }

    private static AttestationException failure(String what, int errno) {
        String why = switch (errno) {
            case Errno.ENXIO -> "ENXIO: the TDX module refused the operand";
            case Errno.EBUSY -> "EBUSY: the RTMR is busy; retry";
            default -> Errno.explain(errno);
        };
        return AttestationException.fromErrno(Errno.reason(errno), errno, what + ": " + why);
    }
}
