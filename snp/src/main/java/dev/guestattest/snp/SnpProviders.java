// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.configfs.ConfigfsProvider;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.snp.guest.SevGuestDevice;
import java.nio.file.Path;
import java.util.List;

/** The SEV-SNP providers: configfs-tsm, {@code /dev/sev-guest}, and the emulator. */
public final class SnpProviders implements ProviderCatalog {
    public static final String CONFIGFS_NAME = "snp/configfs";
    /** The {@code provider} configfs-tsm shows in an SNP guest. */
    public static final String KERNEL_PROVIDER = "sev_guest";

    /**
     * The privlevel is the VMPL (the kernel refuses one below its {@code privlevel_floor}); the
     * auxblob is the certificate table.
     */
    public static final ConfigfsProvider CONFIGFS = new ConfigfsProvider(CONFIGFS_NAME,
            "AMD SEV-SNP report via configfs-tsm (Linux 6.7+ SNP guest); auxblob = certificate table", KERNEL_PROVIDER,
            SnpInput.INPUT, 0);

    public static final ProviderFactory DEVICE = ProviderFactory.of(SevGuestDevice.NAME,
            "AMD SEV-SNP extended report and derived keys via /dev/sev-guest", false,
            c -> DeviceFile.presence(device(c), "not an SNP guest, or sev-guest not loaded"), c -> new SevGuestDevice(device(c)));

    /** Never chosen automatically. */
    public static final ProviderFactory EMULATED = ProviderFactory.of(SnpEmulatedProvider.NAME,
            "Emulated AMD SEV-SNP guest and secure processor (VCEK/VLEK, certificate table, derived keys)", true,
            c -> Availability.yes("software SNP chip; state in " + SnpEmulatedProvider.stateDir(c)), SnpEmulatedProvider::open);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(CONFIGFS, DEVICE, EMULATED);
    }

    private static Path device(ProviderContext context) {
        return context.deviceDir().resolve("sev-guest");
    }
}
