// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import com.sun.jna.Memory;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.tdx.TdxProviders;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.guest.LinuxTdxGuest;
import dev.guestattest.tdx.guest.TdxDevice;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A fake {@code /dev/tdx_guest}: TDX_CMD_GET_REPORT0 answered with a TDREPORT from the TDX
 * emulator, so the real {@link TdxDevice} code runs end to end without a TD. With
 * {@link #configfs(Path)} the same emulated TD also quotes through a fake configfs-tsm, which
 * makes a whole {@link LinuxTdxGuest}. Close it to stop the emulator's quoting service.
 */
public final class FakeTdxGuestDevice implements AutoCloseable {
    private final TdxEmulatedProvider td;
    private final FakeCharDevice device;

    private FakeTdxGuestDevice(TdxEmulatedProvider td, Path path) {
        this.td = td;
        this.device = new FakeCharDevice(path).on(TdxDevice.TDX_CMD_GET_REPORT0, this::getReport0);
    }

    /**
     * An emulated TD with its state under {@code context.stateDir()}, behind a device at
     * {@code context.deviceDir()/tdx_guest}. The device node itself is not created.
     */
    public static FakeTdxGuestDevice open(ProviderContext context) {
        return new FakeTdxGuestDevice(TdxEmulatedProvider.open(context), context.deviceDir().resolve("tdx_guest"));
    }

    /** The fake device, to inject failures or count calls. */
    public FakeCharDevice device() {
        return device;
    }

    /** The emulated TD answering, for its registers and collateral. */
    public TdxEmulatedProvider emulator() {
        return td;
    }

    /** The real device code over this fake. */
    public TdxDevice guest() {
        return new TdxDevice(device, device.path());
    }

    /** A fake configfs-tsm at {@code root} whose {@code tdx_guest} provider quotes with this TD. */
    public ConfigfsFixture configfs(Path root) {
        return new ConfigfsFixture(root, TdxProviders.KERNEL_PROVIDER, ConfigfsFixture.TDX_ATTRS,
                inblob -> td.quote(td.tdReport(Bytes.of(inblob))));
    }

    /** A whole real TD guest: TDREPORTs through this device, quotes through {@link #configfs(Path)} at {@code root}. */
    public LinuxTdxGuest linuxGuest(Path configfsRoot) {
        ConfigfsFixture kernel = configfs(configfsRoot);
        return new LinuxTdxGuest(guest(), new ConfigfsReports(kernel, kernel.root(), TdxProviders.KERNEL_PROVIDER));
    }

    /** struct tdx_report_req: reportdata[64] in, tdreport[1024] out. */
    private int getReport0(Memory arg) {
        byte[] req = UserMemory.argument(arg, TdxDevice.REQUEST_SIZE, "TDX_CMD_GET_REPORT0");
        TdReport report = td.tdReport(Bytes.of(Arrays.copyOf(req, TdReport.REPORT_DATA_SIZE)));
        arg.write(TdReport.REPORT_DATA_SIZE, report.toBytes(), 0, TdReport.SIZE);
        return 0;
    }

    @Override
    public void close() {
        td.close();
    }
}
