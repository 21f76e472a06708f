package dev.guestattest.core;

/**
 * Discovered with {@link java.util.ServiceLoader}: describes one provider and creates it on
 * request. Discovery never registers anything; the owner of a {@link Tsm} picks and registers.
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
}
