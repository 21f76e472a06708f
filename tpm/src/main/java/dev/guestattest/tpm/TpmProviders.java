// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.core.net.NetworkFailures;
import dev.guestattest.tpm.client.TpmTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/** The TPM providers: {@code tpm/device} (/dev/tpmrm0) and {@code tpm/swtpm} (swtpm's TCP socket). */
public final class TpmProviders implements ProviderCatalog {
    public static final ProviderFactory DEVICE = ProviderFactory.of("tpm/device",
            "TPM 2.0 quote via the kernel resource manager /dev/tpmrm0", false,
            c -> DeviceFile.presence(device(c)),
            c -> new TpmProvider("tpm/device", false, () -> TpmTransport.device(device(c)), pcrs(c), form(c), akHandle(c)));

    /** Host and port from {@code tpm/swtpm:HOST:PORT} or the {@code tpm.swtpm} setting (default 127.0.0.1:2321). */
    public static final ProviderFactory SWTPM = ProviderFactory.of("tpm/swtpm",
            "TPM 2.0 quote from swtpm over TCP (tpm/swtpm:HOST:PORT)", true,
            TpmProviders::swtpmAnswers, TpmProviders::swtpm);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(DEVICE, SWTPM);
    }

    private static Path device(ProviderContext c) {
        return c.deviceDir().resolve("tpmrm0");
    }

    /** The setting that chooses the evidence's form ({@link TpmProvider.Form}): guestattest (default) or guest-components. */
    public static final String EVIDENCE = "tpm.evidence";

    private static TpmProvider.Form form(ProviderContext c) {
        return c.setting(EVIDENCE).map(TpmProvider.Form::parse).orElse(TpmProvider.Form.GUESTATTEST);
    }

    /** The setting naming a persistent AK for guest-components' form, in hex as tpm2-tools write it (0x81010002). */
    public static final String AK_HANDLE = "tpm.ak-handle";

    private static Optional<Long> akHandle(ProviderContext c) {
        return c.setting(AK_HANDLE).map(text -> {
            String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
            try {
                long h = Long.parseLong(hex, 16);
                if ((h >>> 24) != 0x81) {
                    throw AttestationException.invalid(AK_HANDLE, "'" + text + "' is not a persistent handle (0x81xxxxxx)");
                }
                return h;
            } catch (NumberFormatException e) {
                throw AttestationException.invalid(AK_HANDLE, "'" + text + "' is not a hex handle such as 0x81010002");
            }
        });
    }

    /** The configured PCRs (default 0-7); guest-components' form quotes all 24. */
    private static SortedSet<Integer> pcrs(ProviderContext c) {
        if (form(c) == TpmProvider.Form.GUEST_COMPONENTS) {
            return c.setting("tpm.pcrs").map(TpmProvider::parsePcrs).orElse(dev.guestattest.tpm.abi.PcrSelection.EVERY_PCR);
        }
        return TpmProvider.parsePcrs(c.setting("tpm.pcrs").orElse("0-7"));
    }

    private static String swtpmTarget(ProviderContext c) {
        return c.setting(ProviderContext.PROVIDER_ARGUMENT).or(() -> c.setting("tpm.swtpm")).orElse("127.0.0.1:2321");
    }

    /** Available only when something accepts a connection at the swtpm's address (within 500 ms): listed is not answering. */
    private static Availability swtpmAnswers(ProviderContext context) {
        java.net.InetSocketAddress address;
        try {
            address = swtpmAddress(context);
        } catch (AttestationException e) {
            return Availability.no(e.getMessage());
        }
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address.getHostString(), address.getPort()), 500);
            return Availability.yes("swtpm answers at " + swtpmTarget(context));
        } catch (java.io.IOException e) {
            return Availability.no("nothing answers at " + swtpmTarget(context) + " (" + NetworkFailures.describe(e)
                    + "); start swtpm socket --tpm2 --server type=tcp,port=PORT");
        }
    }

    private static java.net.InetSocketAddress swtpmAddress(ProviderContext context) {
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
        return java.net.InetSocketAddress.createUnresolved(target.substring(0, colon), port);
    }

    private static TpmProvider swtpm(ProviderContext context) {
        java.net.InetSocketAddress a = swtpmAddress(context);
        return new TpmProvider("tpm/swtpm:" + swtpmTarget(context), true, () -> TpmTransport.tcp(a.getHostString(), a.getPort(),
                context.quoteTimeout()), pcrs(context), form(context), akHandle(context));
    }
}
