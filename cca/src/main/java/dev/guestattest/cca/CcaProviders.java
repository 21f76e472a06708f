// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca;

import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.configfs.ConfigfsProvider;
import java.util.List;

/** The Arm CCA providers: configfs-tsm (challenge 32..64 bytes) and the emulated realm. */
public final class CcaProviders implements ProviderCatalog {
    public static final String CONFIGFS_NAME = "cca/configfs";
    /** The {@code provider} configfs-tsm shows in a realm. */
    public static final String KERNEL_PROVIDER = "arm_cca_guest";

    public static final ConfigfsProvider CONFIGFS = new ConfigfsProvider(CONFIGFS_NAME,
            "Arm CCA attestation token via configfs-tsm (a realm guest with the arm-cca-guest driver)", KERNEL_PROVIDER,
            EmulatedRealm.INPUT, 0);

    public static final ProviderFactory EMULATED = ProviderFactory.of(EmulatedRealm.NAME,
            "Emulated Arm CCA realm, RMM and platform (CPAK and RAK P-384, REM0-3)", true,
            c -> Availability.yes("software realm; state in " + c.stateDir().resolve("cca")), EmulatedRealm::open);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(CONFIGFS, EMULATED);
    }
}
