package dev.guestattest.cca.emulator;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;

/** Factory for {@code cca/emulated}. */
public final class EmulatedRealmFactory implements ProviderFactory {
    @Override
    public String name() {
        return EmulatedRealm.NAME;
    }

    @Override
    public String description() {
        return "Emulated Arm CCA realm, RMM and platform (CPAK and RAK P-384, REM0-3)";
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public Availability probe(ProviderContext context) {
        return Availability.yes("software realm; state in " + context.stateDir().resolve("cca"));
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return EmulatedRealm.open(context);
    }
}
