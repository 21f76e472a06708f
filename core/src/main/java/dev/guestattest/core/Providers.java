// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The providers on the classpath, found with {@link ServiceLoader} through the modules'
 * {@link ProviderCatalog}s, and the selection rules:
 * by name, or automatically — and automatic selection only ever picks real hardware, so a
 * production guest can never silently hand out emulated evidence.
 */
public final class Providers {
    private final List<ProviderFactory> factories;

    public Providers(List<ProviderFactory> factories) {
        List<ProviderFactory> sorted = new ArrayList<>(factories);
        sorted.sort(Comparator.comparing(ProviderFactory::name));
        this.factories = List.copyOf(sorted);
    }

    /**
     * Every module's {@link ProviderCatalog}, plus single factories still registered under
     * {@code META-INF/services/dev.guestattest.core.ProviderFactory} (e.g. a test's one-off provider).
     */
    public static Providers discover() {
        List<ProviderFactory> found = new ArrayList<>();
        ServiceLoader.load(ProviderCatalog.class).forEach(c -> found.addAll(c.providers()));
        ServiceLoader.load(ProviderFactory.class).forEach(found::add);
        return new Providers(found);
    }

    public List<ProviderFactory> all() {
        return factories;
    }

    public ProviderFactory byName(String name) {
        return factories.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> AttestationException.invalid("provider",
                        "unknown provider '" + name + "'; known: " + names()));
    }

    /**
     * The first available non-emulated provider. Fails with NO_PROVIDER listing why each real
     * provider is unavailable; emulated providers must be asked for by name.
     */
    public ProviderFactory automatic(ProviderContext context) {
        StringBuilder why = new StringBuilder();
        for (ProviderFactory f : factories) {
            if (f.emulated()) {
                continue;
            }
            Availability a = f.probe(context);
            if (a.available()) {
                return f;
            }
            why.append("; ").append(f.name()).append(": ").append(a.detail());
        }
        throw AttestationException.of(Reason.NO_PROVIDER, "no attestation provider: no real TEE backend is available here"
                + why + " (emulated providers are used only when named, e.g. --provider tdx/emulated)");
    }

    private String names() {
        return factories.stream().map(ProviderFactory::name).collect(Collectors.joining(", "));
    }
}
