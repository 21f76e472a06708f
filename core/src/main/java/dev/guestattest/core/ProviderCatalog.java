// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import java.util.List;

/**
 * One module's providers, found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.guestattest.core.ProviderCatalog}: a module lists one catalog
 * instead of one class per provider. Implementations need a public no-argument constructor.
 */
public interface ProviderCatalog {
    /** This module's providers, each declared with {@link ProviderFactory#of} or as a configfs-tsm provider. */
    List<ProviderFactory> providers();
}
