// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.guest;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.device.CharDevice;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.snp.SnpInput;
import dev.guestattest.snp.abi.FirmwareError;
import dev.guestattest.snp.abi.SevGuestAbi;
import dev.guestattest.snp.abi.TcbVersion;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code snp/device}: {@code /dev/sev-guest} through a {@link CharDevice}. Extended reports start with the kernel's
 * 16 KiB certificate area; when the host needs more, the kernel has already consumed the sequence
 * number, returns EIO with VMM error 1 and the size it needs, and only then is a new request sent.
 * No other failure is ever retried: the kernel disables the VMPCK after one.
 */
public final class SevGuestDevice implements ReportProvider, SnpGuest {
    public static final String NAME = "snp/device";
    private static final int MSG_VERSION = 1;
    private static final int MAX_CERTS = 1 << 20;

    private final DeviceFile file;

    public SevGuestDevice(Path device) {
        this(CharDevice.linux(), device);
    }

    /** The device behind {@code io}: {@link CharDevice#linux()} in a guest, a fake in tests. */
    public SevGuestDevice(CharDevice io, Path device) {
        this.file = new DeviceFile(io, device);
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
        return SnpInput.INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        int certsLength = SevGuestAbi.MAX_CERTS;
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Memory certs = new Memory(certsLength); Memory resp = new Memory(SevGuestAbi.REPORT_RESP_SIZE)) {
                certs.clear();
                byte[] req = SevGuestAbi.extReportRequest(request.inblob(), request.privlevel(), Pointer.nativeValue(certs), certsLength);
                try (Memory reqMem = copy(req)) {
                    int offered = certsLength;
                    boolean first = attempt == 0;
                    Optional<ReportBlobs> blobs = call(SevGuestAbi.SNP_GET_EXT_REPORT, reqMem, resp, o -> {
                        if (o.errno == 0) {
                            byte[] report = SevGuestAbi.reportResponse(resp.getByteArray(0, SevGuestAbi.REPORT_RESP_SIZE)).toBytes();
                            return Optional.of(new ReportBlobs(Bytes.of(report), Bytes.of(certs.getByteArray(0, offered)), Bytes.EMPTY));
                        }
                        int needed = reqMem.getInt(104);
                        if (o.errno == Errno.EIO && o.vmmError == SevGuestAbi.VMM_ERR_INVALID_LEN && first && needed > offered) {
                            if (needed > MAX_CERTS) {
                                throw AttestationException.tooLarge("SNP certificate table", needed, MAX_CERTS);
                            }
                            return Optional.empty();
                        }
                        throw failure("SNP_GET_EXT_REPORT", o);
                    });
                    if (blobs.isPresent()) {
                        return blobs.get();
                    }
                    certsLength = reqMem.getInt(104); // a new message with a bigger buffer; the old one was consumed
                }
            }
        }
        throw AttestationException.of(Reason.DEVICE_ERROR, "SNP_GET_EXT_REPORT: the host kept asking for a bigger certificate buffer");
    }

    @Override
    public byte[] derivedKey(int rootKeySelect, long fieldSelect, int vmpl, long guestSvn, TcbVersion tcb) {
        byte[] req = SevGuestAbi.derivedKeyRequest(rootKeySelect, fieldSelect, vmpl, guestSvn, tcb);
        try (Memory reqMem = copy(req); Memory resp = new Memory(SevGuestAbi.DERIVED_KEY_RESP_SIZE)) {
            try {
                return call(SevGuestAbi.SNP_GET_DERIVED_KEY, reqMem, resp, o -> {
                    if (o.errno != 0) {
                        throw failure("SNP_GET_DERIVED_KEY", o);
                    }
                    return SevGuestAbi.derivedKeyResponse(resp.getByteArray(0, SevGuestAbi.DERIVED_KEY_RESP_SIZE));
                });
            } finally {
                resp.clear(); // the key must not linger in native memory
            }
        }
    }

    private record Outcome(int errno, long firmwareError, long vmmError) {
    }

    /**
     * One guest request, judged by {@code judge} while the device is still open, so that a failed
     * close can only ever be added to the request's own failure. A failed ioctl still reaches
     * {@code judge}, because exitinfo2 says why it failed.
     */
    private <T> T call(long command, Memory req, Memory resp, Function<Outcome, T> judge) {
        return file.exchange(h -> {
            try (Memory ioctl = copy(SevGuestAbi.guestRequest(MSG_VERSION, Pointer.nativeValue(req), Pointer.nativeValue(resp)))) {
                int errno = 0;
                try {
                    h.ioctl(command, ioctl);
                } catch (SyscallException e) {
                    errno = e.errno();
                }
                SevGuestAbi.ExitInfo exit = SevGuestAbi.ExitInfo.of(ioctl.getByteArray(0, SevGuestAbi.IOCTL_SIZE));
                return judge.apply(new Outcome(errno, exit.firmwareError(), exit.vmmError()));
            }
        });
    }

    private AttestationException failure(String what, Outcome o) {
        String detail = what + " on " + file.path() + ": " + Errno.explain(o.errno);
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
