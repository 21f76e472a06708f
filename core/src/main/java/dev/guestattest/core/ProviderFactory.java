// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.util.function.Function;

/**
 * Describes one provider and creates it on request. Vendors declare theirs with {@link #of} and list
 * them in a {@link ProviderCatalog}; {@link Providers#discover()} finds them. Discovery never
 * registers anything; the owner of a {@link Tsm} picks and registers.
 */
public interface ProviderFactory {
    /** {@code <tee>/<backend>}, e.g. {@code tdx/configfs}. */
    String name();

    /** One line for humans. */
    String description();

    boolean emulated();

    /** Checks, without side effects, whether the provider can run with {@code context}. */
    Availability probe(ProviderContext context);

    ReportProvider create(ProviderContext context);

    /**
     * A provider declared by description: {@code probe} must be free of side effects, {@code create}
     * makes a new provider each time it is called.
     */
    static ProviderFactory of(String name, String description, boolean emulated,
                              Function<ProviderContext, Availability> probe,
                              Function<ProviderContext, ? extends ReportProvider> create) {
        return new DeclaredProvider(name, description, emulated, probe, create);
    }
}
