package dev.guestattest.tdx.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.linux.Libc;
import dev.guestattest.tdx.abi.TdReport;
import java.nio.file.Path;

/**
 * {@code /dev/tdx_guest} and its one ioctl, TDX_CMD_GET_REPORT0 (linux-abi.md §3.1): struct
 * {@code tdx_report_req { u8 reportdata[64]; u8 tdreport[1024]; }} in, the TDREPORT out. There is
 * no upstream GetQuote ioctl; quotes come through configfs-tsm.
 */
public final class TdxDevice {
    public static final int REQUEST_SIZE = TdReport.REPORT_DATA_SIZE + TdReport.SIZE;
    /** _IOWR('T', 1, struct tdx_report_req). */
    public static final long TDX_CMD_GET_REPORT0 = iowr('T', 1, REQUEST_SIZE);
    private final Path device;

    public TdxDevice(Path device) {
        this.device = device;
    }

    /** The Linux _IOWR encoding: direction read|write (3) in bits 30-31, size in 16-29, type in 8-15, number in 0-7. */
    static long iowr(char type, int nr, int size) {
        return (3L << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    /** The request struct as the kernel reads it. */
    public static byte[] encodeRequest(Bytes reportData) {
        reportData.checkLength("reportdata", TdReport.REPORT_DATA_SIZE);
        byte[] req = new byte[REQUEST_SIZE];
        reportData.copyTo(req, 0);
        return req;
    }

    /** The TDREPORT the kernel wrote after the report data. */
    public static TdReport decodeResponse(byte[] req) {
        if (req.length != REQUEST_SIZE) {
            throw AttestationException.invalid("tdx_report_req", req.length + " bytes; must be " + REQUEST_SIZE);
        }
        return TdReport.parse(java.util.Arrays.copyOfRange(req, TdReport.REPORT_DATA_SIZE, REQUEST_SIZE));
    }

    public boolean present() {
        return java.nio.file.Files.exists(device);
    }

    public TdReport report(Bytes reportData) {
        byte[] req = encodeRequest(reportData);
        int fd;
        try {
            fd = Libc.open(device.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure("open", e.getErrorCode());
        }
        try {
            Memory mem = new Memory(REQUEST_SIZE);
            mem.write(0, req, 0, REQUEST_SIZE);
            Libc.ioctl(fd, new NativeLong(TDX_CMD_GET_REPORT0), mem);
            return decodeResponse(mem.getByteArray(0, REQUEST_SIZE));
        } catch (LastErrorException e) {
            throw failure("TDX_CMD_GET_REPORT0", e.getErrorCode());
        } finally {
            try {
                Libc.close(fd);
            } catch (LastErrorException ignored) {
                // nothing was written through this fd
            }
        }
    }

    private AttestationException failure(String op, int errno) {
        if (errno == Errno.ENOENT || errno == Errno.ENXIO || errno == Errno.ENODEV) {
            return AttestationException.fromErrno(Reason.UNSUPPORTED, errno, "device " + device
                    + " not found: not a TDX guest, or the tdx_guest module is not loaded");
        }
        return AttestationException.fromErrno(Errno.reason(errno), errno, device + " " + op + ": " + Errno.explain(errno));
    }
}
