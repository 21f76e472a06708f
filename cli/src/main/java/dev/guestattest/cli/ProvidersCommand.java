// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.Providers;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "providers", mixinStandardHelpOptions = true,
        description = "List the providers, whether each can run here, and why a real one cannot.")
final class ProvidersCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        ProviderContext context = common.context();
        for (ProviderFactory f : Providers.discover().all()) {
            Availability a = f.probe(context);
            System.out.printf("%-14s %-11s %s%n    %s%n", f.name(), a.available() ? "available" : "unavailable",
                    f.emulated() ? "(emulated: used only when named)" : "", a.detail());
        }
        return Main.OK;
    }
}
