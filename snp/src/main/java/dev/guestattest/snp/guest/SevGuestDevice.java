package dev.guestattest.snp.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.linux.Libc;
import dev.guestattest.snp.SnpRules;
import dev.guestattest.snp.abi.FirmwareError;
import dev.guestattest.snp.abi.SevGuestAbi;
import dev.guestattest.snp.abi.TcbVersion;
import java.nio.file.Path;

/**
 * {@code snp/device}: {@code /dev/sev-guest} through JNA. Extended reports start with the kernel's
 * 16 KiB certificate area; when the host needs more, the kernel has already consumed the sequence
 * number, returns EIO with VMM error 1 and the size it needs, and only then is a new request sent.
 * No other failure is ever retried: the kernel disables the VMPCK after one.
 */
public final class SevGuestDevice implements ReportProvider, SnpGuest {
    public static final String NAME = "snp/device";
    private static final int MSG_VERSION = 1;
    private static final int MAX_CERTS = 1 << 20;

    private final Path device;

    public SevGuestDevice(Path device) {
        this.device = device;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean emulated() {
        return false;
    }

    @Override
    public InputRules inputRules() {
        return SnpRules.INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        int certsLength = SevGuestAbi.MAX_CERTS;
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Memory certs = new Memory(certsLength); Memory resp = new Memory(SevGuestAbi.REPORT_RESP_SIZE)) {
                certs.clear();
                byte[] req = SevGuestAbi.extReportRequest(request.inblob(), request.privlevel(), Pointer.nativeValue(certs), certsLength);
                try (Memory reqMem = copy(req)) {
                    Outcome o = call(SevGuestAbi.SNP_GET_EXT_REPORT, reqMem, resp);
                    if (o.errno == 0) {
                        byte[] report = SevGuestAbi.reportResponse(resp.getByteArray(0, SevGuestAbi.REPORT_RESP_SIZE)).toBytes();
                        return new ReportBlobs(Bytes.of(report), Bytes.of(certs.getByteArray(0, certsLength)), Bytes.EMPTY);
                    }
                    int needed = reqMem.getInt(104);
                    if (o.errno == Errno.EIO && o.vmmError == SevGuestAbi.VMM_ERR_INVALID_LEN && attempt == 0 && needed > certsLength) {
                        if (needed > MAX_CERTS) {
                            throw AttestationException.tooLarge("SNP certificate table", needed, MAX_CERTS);
                        }
                        certsLength = needed; // a new message with a bigger buffer; the old one was consumed
                        continue;
                    }
                    throw failure("SNP_GET_EXT_REPORT", o);
                }
            }
        }
        throw AttestationException.of(Reason.DEVICE_ERROR, "SNP_GET_EXT_REPORT: the host kept asking for a bigger certificate buffer");
    }

    @Override
    public byte[] derivedKey(int rootKeySelect, long fieldSelect, int vmpl, long guestSvn, TcbVersion tcb) {
        byte[] req = SevGuestAbi.derivedKeyRequest(rootKeySelect, fieldSelect, vmpl, guestSvn, tcb);
        try (Memory reqMem = copy(req); Memory resp = new Memory(SevGuestAbi.DERIVED_KEY_RESP_SIZE)) {
            Outcome o = call(SevGuestAbi.SNP_GET_DERIVED_KEY, reqMem, resp);
            try {
                if (o.errno != 0) {
                    throw failure("SNP_GET_DERIVED_KEY", o);
                }
                return SevGuestAbi.derivedKeyResponse(resp.getByteArray(0, SevGuestAbi.DERIVED_KEY_RESP_SIZE));
            } finally {
                resp.clear(); // the key must not linger in native memory
            }
        }
    }

    private record Outcome(int errno, long firmwareError, long vmmError) {
    }

    private Outcome call(long command, Memory req, Memory resp) {
        int fd;
        try {
            fd = Libc.open(device.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            throw AttestationException.fromErrno(Errno.reason(errno), errno, "open " + device + ": " + Errno.explain(errno));
        }
        try (Memory ioctl = copy(SevGuestAbi.guestRequest(MSG_VERSION, Pointer.nativeValue(req), Pointer.nativeValue(resp)))) {
            int errno = 0;
            try {
                Libc.ioctl(fd, new NativeLong(command), ioctl);
            } catch (LastErrorException e) {
                errno = e.getErrorCode();
            }
            SevGuestAbi.ExitInfo exit = SevGuestAbi.ExitInfo.of(ioctl.getByteArray(0, SevGuestAbi.IOCTL_SIZE));
            return new Outcome(errno, exit.firmwareError(), exit.vmmError());
        } finally {
            Libc.close(fd);
        }
    }

    private AttestationException failure(String what, Outcome o) {
        String detail = what + " on " + device + ": " + Errno.explain(o.errno);
        if (o.firmwareError != 0 && o.firmwareError != 0xff) {
            detail += "; firmware " + FirmwareError.describe(o.firmwareError);
        }
        if (o.vmmError != 0) {
            detail += "; VMM error " + o.vmmError + (o.vmmError == SevGuestAbi.VMM_ERR_BUSY ? " (host busy)" : "");
        }
        if (o.errno == Errno.ENOTTY) {
            detail += " (the kernel disabled the VMPCK after an earlier failure; reboot or load sev-guest with another vmpck_id)";
        }
        return AttestationException.fromErrno(Errno.reason(o.errno), o.errno, detail);
    }

    private static Memory copy(byte[] b) {
        Memory m = new Memory(b.length);
        m.write(0, b, 0, b.length);
        return m;
    }
}
