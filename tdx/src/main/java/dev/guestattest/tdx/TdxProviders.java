// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.configfs.ConfigfsProvider;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.guest.LinuxTdxGuest;
import dev.guestattest.tdx.guest.TdxDevice;
import dev.guestattest.tdx.guest.TdxGuest;
import java.nio.file.Path;
import java.util.List;

/** The TDX providers: configfs-tsm quotes, the TDREPORT device, and the emulator. */
public final class TdxProviders implements ProviderCatalog {
    public static final String CONFIGFS_NAME = "tdx/configfs";
    public static final String DEVICE_NAME = TdxDevice.NAME;
    /** The {@code provider} configfs-tsm shows in a TD. */
    public static final String KERNEL_PROVIDER = "tdx_guest";

    public static final ConfigfsProvider CONFIGFS = new ConfigfsProvider(CONFIGFS_NAME,
            "Intel TDX quote via configfs-tsm (Linux 6.7+ TD guest)", KERNEL_PROVIDER, TdxInput.INPUT, 0);

    public static final ProviderFactory DEVICE = ProviderFactory.of(DEVICE_NAME,
            "Intel TDX TDREPORT (not a quote) via /dev/tdx_guest TDX_CMD_GET_REPORT0", false,
            c -> new TdxDevice(device(c)).present() ? Availability.yes("device " + device(c))
                    : Availability.no(device(c) + " not found (not a TDX guest, or tdx_guest not loaded)"),
            c -> new TdxDevice(device(c)));

    /** Always available, never picked automatically. */
    public static final ProviderFactory EMULATED = ProviderFactory.of(TdxEmulatedProvider.NAME,
            "Intel TDX emulated in software: quotes in the real v4/v5 format, signed under the emulator's own root", true,
            c -> Availability.yes("software TD; state in " + TdxEmulatedProvider.stateDir(c)), TdxEmulatedProvider::open);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(CONFIGFS, DEVICE, EMULATED);
    }

    /** The real guest for the selftest: TDREPORT from the device, quote from configfs-tsm. */
    public static TdxGuest guest(ProviderContext context) {
        return new LinuxTdxGuest(new TdxDevice(device(context)), CONFIGFS.reports(context));
    }

    private static Path device(ProviderContext context) {
        return context.deviceDir().resolve("tdx_guest");
    }
}
