// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigfsProviderTest {
    private static final InputRules RULES = InputRules.exactly(64, true, false);
    private static final ConfigfsProvider PROVIDER = new ConfigfsProvider("tee/configfs", "a TEE through configfs-tsm",
            "tee_guest", RULES, 1);

    @Test
    void probesTheContextsReportDirectory(@TempDir Path tmp) throws Exception {
        ProviderContext context = ProviderContext.defaults().withConfigfsRoot(tmp.resolve("tsm/report"));
        assertThat(PROVIDER.probe(context).available()).isFalse();
        assertThat(PROVIDER.probe(context).detail()).startsWith("configfs-tsm directory " + tmp.resolve("tsm/report") + " not found");
        Files.createDirectories(tmp.resolve("tsm/report"));
        // a directory that is not configfs: the probe's item has no provider attribute, so the provider is not available
        assertThat(PROVIDER.probe(context).available()).isFalse();
        assertThat(PROVIDER.probe(context).detail()).startsWith("configfs-tsm read provider: ");
        assertThat(Files.list(tmp.resolve("tsm/report"))).as("the probe removes its item").isEmpty();
    }

    @Test
    void createsARealProviderFromTheDescription() {
        ReportProvider p = PROVIDER.create(ProviderContext.defaults());
        assertThat(PROVIDER.emulated()).isFalse();
        assertThat(p.name()).isEqualTo("tee/configfs");
        assertThat(p.emulated()).isFalse();
        assertThat(p.inputRules()).isEqualTo(RULES);
        assertThat(p.privlevelFloor()).isEqualTo(1);
    }

    @Test
    void aFloorOutsideThePrivlevelsIsRefused() {
        assertThatThrownBy(() -> new ConfigfsProvider("tee/configfs", "d", "tee_guest", RULES, 4))
                .hasMessage("privlevelFloor: 4 is outside 0..3");
    }
}
