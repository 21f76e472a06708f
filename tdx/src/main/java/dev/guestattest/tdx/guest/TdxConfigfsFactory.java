package dev.guestattest.tdx.guest;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.configfs.ConfigfsReportProvider;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.core.configfs.LibcConfigfsIo;
import dev.guestattest.tdx.TdxRules;

/** {@code tdx/configfs}: TDX quotes through the kernel's configfs-tsm ({@code tdx_guest} provider). */
public final class TdxConfigfsFactory implements ProviderFactory {
    public static final String NAME = "tdx/configfs";
    public static final String KERNEL_PROVIDER = "tdx_guest";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Intel TDX quote via configfs-tsm (Linux 6.7+ TD guest)";
    }

    @Override
    public boolean emulated() {
        return false;
    }

    static ConfigfsReports reports(ProviderContext context) {
        return new ConfigfsReports(new LibcConfigfsIo(), context.configfsRoot(), KERNEL_PROVIDER);
    }

    @Override
    public Availability probe(ProviderContext context) {
        return reports(context).probe();
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return new ConfigfsReportProvider(NAME, TdxRules.INPUT, 0, reports(context));
    }
}
