package dev.guestattest.snp.emulator;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;

/** Factory for {@code snp/emulated}; never chosen automatically. */
public final class SnpEmulatedFactory implements ProviderFactory {
    @Override
    public String name() {
        return SnpEmulatedProvider.NAME;
    }

    @Override
    public String description() {
        return "Emulated AMD SEV-SNP guest and secure processor (VCEK/VLEK, certificate table, derived keys)";
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public Availability probe(ProviderContext context) {
        return Availability.yes("software SNP chip; state in " + SnpEmulatedProvider.stateDir(context));
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return SnpEmulatedProvider.open(context);
    }
}
