package dev.guestattest.s390.emulator;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;

/** Factory for {@code s390/emulated}. */
public final class S390EmulatedFactory implements ProviderFactory {
    @Override
    public String name() {
        return S390EmulatedProvider.NAME;
    }

    @Override
    public String description() {
        return "Emulated IBM Secure Execution ultravisor (inblob = user data; the verifier's ARCB in setting s390.arcb)";
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public Availability probe(ProviderContext context) {
        return Availability.yes("software ultravisor; state in " + context.stateDir().resolve("s390"));
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return S390EmulatedProvider.open(context);
    }
}
