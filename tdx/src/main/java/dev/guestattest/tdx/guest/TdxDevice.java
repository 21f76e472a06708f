// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.device.CharDevice;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.tdx.TdxInput;
import dev.guestattest.tdx.abi.TdReport;
import java.nio.file.Path;

/**
 * {@code /dev/tdx_guest} and its one ioctl, TDX_CMD_GET_REPORT0 (linux-abi.md §3.1): struct
 * {@code tdx_report_req { u8 reportdata[64]; u8 tdreport[1024]; }} in, the TDREPORT out. There is
 * no upstream GetQuote ioctl; quotes come through configfs-tsm. As the {@code tdx/device} provider
 * its outblob is the 1024-byte TDREPORT, not a quote: it is MAC'ed for this platform only, useful
 * for local checks and RTMRs.
 */
public final class TdxDevice implements ReportProvider {
    public static final String NAME = "tdx/device";
    public static final int REQUEST_SIZE = TdReport.REPORT_DATA_SIZE + TdReport.SIZE;
    /** _IOWR('T', 1, struct tdx_report_req). */
    public static final long TDX_CMD_GET_REPORT0 = iowr('T', 1, REQUEST_SIZE);

    private final DeviceFile file;

    public TdxDevice(Path device) {
        this(CharDevice.linux(), device);
    }

    /** The device behind {@code io}: {@link CharDevice#linux()} on a TD, a fake in tests. */
    public TdxDevice(CharDevice io, Path device) {
        this.file = new DeviceFile(io, device, "not a TDX guest, or the tdx_guest module is not loaded");
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
        return file.present();
    }

    public TdReport report(Bytes reportData) {
        byte[] req = encodeRequest(reportData);
        return file.exchange(file.path() + " open", h -> {
            try {
                return decodeResponse(h.ioctl(TDX_CMD_GET_REPORT0, req));
            } catch (SyscallException e) {
                throw file.failure(file.path() + " TDX_CMD_GET_REPORT0", e.errno());
            }
        });
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
        return TdxInput.INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        return ReportBlobs.of(report(request.inblob()).toBytes());
    }
}
