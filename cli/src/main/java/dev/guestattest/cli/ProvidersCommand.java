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

    @picocli.CommandLine.Option(names = "--json", description = "Print the providers as JSON (schemas/providers.schema.json)")
    boolean json;

    /** Each provider is probed, not listed: a device must open read-write, a TPM endpoint answer, configfs name the provider. */
    @Override
    public Integer call() {
        ProviderContext context = common.context();
        com.fasterxml.jackson.databind.node.ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        com.fasterxml.jackson.databind.node.ArrayNode list = n.putArray("providers");
        for (ProviderFactory f : Providers.discover().all()) {
            Availability a = f.probe(context);
            if (json) {
                list.addObject().put("name", f.name()).put("available", a.available()).put("emulated", f.emulated()).put("detail", a.detail());
                continue;
            }
            System.out.printf("%-14s %-11s %s%n    %s%n", f.name(), a.available() ? "available" : "unavailable",
                    f.emulated() ? "(emulated: used only when named)" : "", a.detail());
        }
        if (json) {
            JsonOutput.print(n);
        }
        return Main.OK;
    }
}
