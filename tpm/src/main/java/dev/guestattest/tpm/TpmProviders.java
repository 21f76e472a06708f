// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.tpm.client.TpmTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;

/** The TPM providers: {@code tpm/device} (/dev/tpmrm0) and {@code tpm/swtpm} (swtpm's TCP socket). */
public final class TpmProviders implements ProviderCatalog {
    public static final ProviderFactory DEVICE = ProviderFactory.of("tpm/device",
            "TPM 2.0 quote via the kernel resource manager /dev/tpmrm0", false,
            c -> DeviceFile.presence(device(c)),
            c -> new TpmProvider("tpm/device", false, () -> TpmTransport.device(device(c)), pcrs(c)));

    /** Host and port from {@code tpm/swtpm:HOST:PORT} or the {@code tpm.swtpm} setting (default 127.0.0.1:2321). */
    public static final ProviderFactory SWTPM = ProviderFactory.of("tpm/swtpm",
            "TPM 2.0 quote from swtpm over TCP (tpm/swtpm:HOST:PORT)", true,
            c -> Availability.yes("swtpm at " + swtpmTarget(c)), TpmProviders::swtpm);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(DEVICE, SWTPM);
    }

    private static Path device(ProviderContext c) {
        return c.deviceDir().resolve("tpmrm0");
    }

    private static SortedSet<Integer> pcrs(ProviderContext c) {
        return TpmProvider.parsePcrs(c.setting("tpm.pcrs").orElse("0-7"));
    }

    private static String swtpmTarget(ProviderContext c) {
        return c.setting(ProviderContext.PROVIDER_ARGUMENT).or(() -> c.setting("tpm.swtpm")).orElse("127.0.0.1:2321");
    }

    private static TpmProvider swtpm(ProviderContext context) {
        String target = swtpmTarget(context);
        int colon = target.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw AttestationException.invalid("tpm/swtpm", "'" + target + "' is not HOST:PORT");
        }
        if (colon <= 0 || port < 1 || port > 65535) {
            throw AttestationException.invalid("tpm/swtpm", "'" + target + "' is not HOST:PORT");
        }
        String host = target.substring(0, colon);
        return new TpmProvider("tpm/swtpm:" + target, true, () -> TpmTransport.tcp(host, port, context.quoteTimeout()), pcrs(context));
    }
}
