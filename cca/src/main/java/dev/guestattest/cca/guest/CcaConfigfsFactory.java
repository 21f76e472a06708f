package dev.guestattest.cca.guest;

import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.configfs.ConfigfsReportProvider;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.core.configfs.LibcConfigfsIo;

/** {@code cca/configfs}: CCA tokens through configfs-tsm (provider {@code arm_cca_guest}; challenge 32..64 bytes). */
public final class CcaConfigfsFactory implements ProviderFactory {
    public static final String KERNEL_PROVIDER = "arm_cca_guest";

    @Override
    public String name() {
        return "cca/configfs";
    }

    @Override
    public String description() {
        return "Arm CCA attestation token via configfs-tsm (a realm guest with the arm-cca-guest driver)";
    }

    @Override
    public boolean emulated() {
        return false;
    }

    private static ConfigfsReports reports(ProviderContext c) {
        return new ConfigfsReports(new LibcConfigfsIo(), c.configfsRoot(), KERNEL_PROVIDER);
    }

    @Override
    public Availability probe(ProviderContext context) {
        return reports(context).probe();
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return new ConfigfsReportProvider(name(), EmulatedRealm.INPUT, 0, reports(context));
    }
}
