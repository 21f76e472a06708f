// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.time.Duration;
import java.util.Optional;

/**
 * One provider picked (by name, else the first real one available), registered in its own
 * {@link Tsm}, and torn down on close: what a one-shot caller such as the CLI or a request-key
 * handler needs around a single report.
 */
public final class ProviderSession implements AutoCloseable {
    private static final Duration DRAIN = Duration.ofSeconds(5);

    private final Tsm tsm = new Tsm();
    private final ReportProvider provider;

    private ProviderSession(ReportProvider provider) {
        this.provider = provider;
        tsm.register(provider);
    }

    /** Opens the named provider, or the first real one available when {@code name} is empty. */
    public static ProviderSession open(Optional<String> name, ProviderContext context) {
        Providers providers = Providers.discover();
        ProviderContext c = context;
        Optional<String> base = name;
        if (name.isPresent() && name.get().indexOf(':') > 0) { // name:argument, e.g. tpm/swtpm:HOST:PORT
            int colon = name.get().indexOf(':');
            base = Optional.of(name.get().substring(0, colon));
            c = context.withSetting(ProviderContext.PROVIDER_ARGUMENT, name.get().substring(colon + 1));
        }
        ProviderFactory factory = base.map(providers::byName).orElseGet(() -> providers.automatic(context));
        return new ProviderSession(factory.create(c));
    }

    public String providerName() {
        return provider.name();
    }

    /** A report through the registered provider, with the core's input validation. */
    public Report report(ReportRequest request) {
        return tsm.report(request);
    }

    @Override
    public void close() {
        tsm.unregister(provider, DRAIN);
        if (provider instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing an emulator's worker thread cannot fail in a way the caller can act on
            }
        }
    }
}
