package dev.guestattest.snp.guest;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import java.nio.file.Files;
import java.nio.file.Path;

/** Factory for {@code snp/device} ({@code /dev/sev-guest}). */
public final class SnpDeviceFactory implements ProviderFactory {
    @Override
    public String name() {
        return SevGuestDevice.NAME;
    }

    @Override
    public String description() {
        return "AMD SEV-SNP extended report and derived keys via /dev/sev-guest";
    }

    @Override
    public boolean emulated() {
        return false;
    }

    static Path device(ProviderContext context) {
        return context.deviceDir().resolve("sev-guest");
    }

    @Override
    public Availability probe(ProviderContext context) {
        Path d = device(context);
        return Files.exists(d) ? Availability.yes(d + " present") : Availability.no(d + " not found (not an SNP guest, or sev-guest not loaded)");
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return new SevGuestDevice(device(context));
    }
}
