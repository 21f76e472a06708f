package dev.guestattest.cli;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.Providers;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.Tsm;
import java.time.Duration;
import java.util.Optional;

/** Picks the provider (by name, else the first real one available), registers it, and cleans up. */
final class ProviderChoice implements AutoCloseable {
    final Tsm tsm = new Tsm();
    final ReportProvider provider;

    ProviderChoice(Optional<String> name, ProviderContext context) {
        Providers providers = Providers.discover();
        ProviderFactory factory = name.map(providers::byName).orElseGet(() -> providers.automatic(context));
        provider = factory.create(context);
        tsm.register(provider);
    }

    @Override
    public void close() {
        tsm.unregister(provider, Duration.ofSeconds(5));
        if (provider instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing an emulator's worker thread cannot fail in a way the user can act on
            }
        }
    }
}
