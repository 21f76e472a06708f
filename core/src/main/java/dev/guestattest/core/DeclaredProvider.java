// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.util.Objects;
import java.util.function.Function;

/** The value behind {@link ProviderFactory#of}: a provider's description and its two functions. */
record DeclaredProvider(String name, String description, boolean emulated,
                        Function<ProviderContext, Availability> prober,
                        Function<ProviderContext, ? extends ReportProvider> creator) implements ProviderFactory {
    DeclaredProvider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(prober, "probe");
        Objects.requireNonNull(creator, "create");
        if (name.isBlank() || description.isBlank()) {
            throw new IllegalArgumentException("provider '" + name + "': name and description must not be blank");
        }
    }

    @Override
    public Availability probe(ProviderContext context) {
        return prober.apply(context);
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return creator.apply(context);
    }

    @Override
    public String toString() {
        return "provider " + name;
    }
}
