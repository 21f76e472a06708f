package dev.guestattest.cove.emulator;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;

/** Factory for {@code cove/emulated}. Linux has no CoVE guest driver yet, so there is no real CoVE backend. */
public final class EmulatedTsmFactory implements ProviderFactory {
    @Override
    public String name() {
        return EmulatedTsm.NAME;
    }

    @Override
    public String description() {
        return "Emulated RISC-V CoVE TSM with a DICE chain (no real backend: Linux has no CoVE guest driver yet)";
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public Availability probe(ProviderContext context) {
        return Availability.yes("software TSM; state in " + context.stateDir().resolve("cove")
                + " (a real CoVE backend awaits a Linux COVG driver)");
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return EmulatedTsm.open(context);
    }
}
