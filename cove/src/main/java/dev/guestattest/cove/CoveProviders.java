// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.cove.emulator.EmulatedTsm;
import java.util.List;

/** The CoVE provider: only the emulator, because Linux has no CoVE guest driver yet. */
public final class CoveProviders implements ProviderCatalog {
    public static final ProviderFactory EMULATED = ProviderFactory.of(EmulatedTsm.NAME,
            "Emulated RISC-V CoVE TSM with a DICE chain (no real backend: Linux has no CoVE guest driver yet)", true,
            c -> Availability.yes("software TSM; state in " + c.stateDir().resolve("cove")
                    + " (a real CoVE backend awaits a Linux COVG driver)"), EmulatedTsm::open);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(EMULATED);
    }
}
