// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.ProviderContext;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every command that touches a provider shares. */
final class CommonOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Emulator state (keys, TD registers). Default: $GUEST_ATTEST_STATE_DIR or ~/.guest-attest")
    Path stateDir;

    @Option(names = "--configfs-root", paramLabel = "DIR", description = "configfs-tsm report directory (default ${DEFAULT-VALUE})",
            defaultValue = "/sys/kernel/config/tsm/report")
    Path configfsRoot;

    @Option(names = "--dev-dir", paramLabel = "DIR", description = "Where vendor devices live (default ${DEFAULT-VALUE})",
            defaultValue = "/dev")
    Path devDir;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Bound on one quote (default ${DEFAULT-VALUE})",
            defaultValue = "30")
    long timeoutSeconds;

    @Option(names = "--setting", paramLabel = "KEY=VALUE", description = "Provider setting (repeatable), e.g. s390.arcb=FILE,"
            + " tpm.pcrs=0-7, tpm.evidence=guest-components, tpm.ak-handle=0x81010002, snp.vmpl=1, tdx.emulator.signer=bc")
    java.util.List<String> settings = new java.util.ArrayList<>();

    ProviderContext context() {
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw dev.guestattest.core.AttestationException.invalid("--timeout", timeoutSeconds + " is outside 1..3600 seconds");
        }
        ProviderContext c = ProviderContext.defaults().withConfigfsRoot(configfsRoot).withDeviceDir(devDir)
                .withQuoteTimeout(Duration.ofSeconds(timeoutSeconds));
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw dev.guestattest.core.AttestationException.invalid("--setting", "'" + kv + "' is not KEY=VALUE");
            }
            c = c.withSetting(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return stateDir == null ? c : c.withStateDir(stateDir);
    }
}
