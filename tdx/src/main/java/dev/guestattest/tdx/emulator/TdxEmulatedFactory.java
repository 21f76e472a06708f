package dev.guestattest.tdx.emulator;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;

/** {@code tdx/emulated}: always available, never picked automatically. */
public final class TdxEmulatedFactory implements ProviderFactory {
    @Override
    public String name() {
        return TdxEmulatedProvider.NAME;
    }

    @Override
    public String description() {
        return "Intel TDX emulated in software: quotes in the real v4/v5 format, signed under the emulator's own root";
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public Availability probe(ProviderContext context) {
        return Availability.yes("software TD; state in " + TdxEmulatedProvider.stateDir(context));
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return TdxEmulatedProvider.open(context);
    }
}
