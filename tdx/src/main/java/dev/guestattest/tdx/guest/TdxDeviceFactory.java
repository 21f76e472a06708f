package dev.guestattest.tdx.guest;

import dev.guestattest.core.Availability;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.tdx.TdxRules;

/**
 * {@code tdx/device}: the TDREPORT from {@code /dev/tdx_guest}. Its outblob is the 1024-byte
 * TDREPORT, not a quote: it is MAC'ed for this platform only, useful for local checks and RTMRs.
 */
public final class TdxDeviceFactory implements ProviderFactory {
    public static final String NAME = "tdx/device";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Intel TDX TDREPORT (not a quote) via /dev/tdx_guest TDX_CMD_GET_REPORT0";
    }

    @Override
    public boolean emulated() {
        return false;
    }

    static TdxDevice device(ProviderContext context) {
        return new TdxDevice(context.deviceDir().resolve("tdx_guest"));
    }

    @Override
    public Availability probe(ProviderContext context) {
        TdxDevice d = device(context);
        return d.present() ? Availability.yes("device " + context.deviceDir().resolve("tdx_guest"))
                : Availability.no(context.deviceDir().resolve("tdx_guest") + " not found (not a TDX guest, or tdx_guest not loaded)");
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        TdxDevice d = device(context);
        return new ReportProvider() {
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
                return TdxRules.INPUT;
            }

            @Override
            public ReportBlobs report(ReportRequest request) {
                return ReportBlobs.of(d.report(request.inblob()).toBytes());
            }
        };
    }

    /** The real guest for the selftest: TDREPORT from the device, quote from configfs-tsm. */
    public static TdxGuest guest(ProviderContext context) {
        return new LinuxTdxGuest(device(context), TdxConfigfsFactory.reports(context));
    }
}
