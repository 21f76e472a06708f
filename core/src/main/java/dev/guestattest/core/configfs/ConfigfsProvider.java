// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import dev.guestattest.core.Availability;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A provider backed by the kernel's configfs-tsm, declared from its description alone: every TEE
 * whose Linux driver registers with configfs-tsm differs only in these values. It probes the report
 * directory of {@link ProviderContext#configfsRoot()} and creates a {@link ConfigfsReportProvider}.
 *
 * @param name the provider name, e.g. {@code tdx/configfs}
 * @param description one line for humans
 * @param kernelProvider the {@code provider} attribute the kernel must show, e.g. {@code tdx_guest}
 * @param rules the vendor's input rules
 * @param privlevelFloor the lowest privilege level the provider accepts
 */
public record ConfigfsProvider(String name, String description, String kernelProvider, InputRules rules,
                               int privlevelFloor) implements ProviderFactory {
    public ConfigfsProvider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(kernelProvider, "kernelProvider");
        Objects.requireNonNull(rules, "rules");
        if (privlevelFloor < 0 || privlevelFloor > 3) {
            throw new IllegalArgumentException("privlevelFloor: " + privlevelFloor + " is outside 0..3");
        }
    }

    @Override
    public boolean emulated() {
        return false;
    }

    /** The client for this provider's kernel reports under the context's configfs root, through libc. */
    public ConfigfsReports reports(ProviderContext context) {
        return new ConfigfsReports(new LibcConfigfsIo(), context.configfsRoot(), kernelProvider);
    }

    @Override
    public Availability probe(ProviderContext context) {
        return reports(context).probe();
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return create(new LibcConfigfsIo(), context.configfsRoot());
    }

    /** The same provider over another {@link ConfigfsIo}, e.g. a fake kernel in tests. */
    public ConfigfsReportProvider create(ConfigfsIo io, Path root) {
        return new ConfigfsReportProvider(name, rules, privlevelFloor, new ConfigfsReports(io, root, kernelProvider));
    }
}
