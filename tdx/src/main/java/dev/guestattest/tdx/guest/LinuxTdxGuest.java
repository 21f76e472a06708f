// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.tdx.abi.TdReport;

/**
 * A real TD: TDREPORT through {@code /dev/tdx_guest}, quotes through configfs-tsm (which makes
 * its own TDREPORT for the same report data, since Linux has no GetQuote ioctl).
 */
public final class LinuxTdxGuest implements TdxGuest {
    private final TdxDevice device;
    private final ConfigfsReports configfs;

    public LinuxTdxGuest(TdxDevice device, ConfigfsReports configfs) {
        this.device = device;
        this.configfs = configfs;
    }

    @Override
    public TdReport tdReport(Bytes reportData) {
        return device.report(reportData);
    }

    @Override
    public byte[] quote(TdReport report) {
        return configfs.generate(ReportRequest.builder().inblob(report.reportMac().reportData()).build()).outblob().toArray();
    }
}
