package dev.guestattest.snp.guest;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.configfs.ConfigfsReportProvider;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.core.configfs.LibcConfigfsIo;
import dev.guestattest.snp.SnpRules;

/**
 * {@code snp/configfs}: SNP reports through configfs-tsm (provider {@code sev_guest}); the privlevel
 * is the VMPL (the kernel refuses one below its {@code privlevel_floor}), the auxblob the certificate table.
 */
public final class SnpConfigfsFactory implements ProviderFactory {
    public static final String NAME = "snp/configfs";
    public static final String KERNEL_PROVIDER = "sev_guest";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "AMD SEV-SNP report via configfs-tsm (Linux 6.7+ SNP guest); auxblob = certificate table";
    }

    @Override
    public boolean emulated() {
        return false;
    }

    private static ConfigfsReports reports(ProviderContext context) {
        return new ConfigfsReports(new LibcConfigfsIo(), context.configfsRoot(), KERNEL_PROVIDER);
    }

    @Override
    public Availability probe(ProviderContext context) {
        return reports(context).probe();
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return new ConfigfsReportProvider(NAME, SnpRules.INPUT, 0, reports(context));
    }
}
