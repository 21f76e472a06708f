package dev.guestattest.tpm;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.tpm.client.TpmTransport;
import java.nio.file.Files;
import java.nio.file.Path;

/** The TPM providers: {@code tpm/device} (/dev/tpmrm0) and {@code tpm/swtpm} (swtpm's TCP socket). */
public final class TpmFactories {
    private TpmFactories() {
    }

    static String pcrs(ProviderContext c) {
        return c.setting("tpm.pcrs").orElse("0-7");
    }

    /** {@code tpm/device}. */
    public static final class Device implements ProviderFactory {
        @Override
        public String name() {
            return "tpm/device";
        }

        @Override
        public String description() {
            return "TPM 2.0 quote via the kernel resource manager /dev/tpmrm0";
        }

        @Override
        public boolean emulated() {
            return false;
        }

        @Override
        public Availability probe(ProviderContext context) {
            Path d = context.deviceDir().resolve("tpmrm0");
            return Files.exists(d) ? Availability.yes(d + " present") : Availability.no(d + " not found");
        }

        @Override
        public ReportProvider create(ProviderContext context) {
            Path d = context.deviceDir().resolve("tpmrm0");
            return new TpmProvider(name(), false, () -> TpmTransport.device(d), TpmProvider.parsePcrs(pcrs(context)));
        }
    }

    /** {@code tpm/swtpm}: host and port from {@code tpm/swtpm:HOST:PORT} or the {@code tpm.swtpm} setting (default 127.0.0.1:2321). */
    public static final class Swtpm implements ProviderFactory {
        @Override
        public String name() {
            return "tpm/swtpm";
        }

        @Override
        public String description() {
            return "TPM 2.0 quote from swtpm over TCP (tpm/swtpm:HOST:PORT)";
        }

        @Override
        public boolean emulated() {
            return true;
        }

        @Override
        public Availability probe(ProviderContext context) {
            return Availability.yes("swtpm at " + target(context));
        }

        @Override
        public ReportProvider create(ProviderContext context) {
            String target = target(context);
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
            return new TpmProvider("tpm/swtpm:" + target, true, () -> TpmTransport.tcp(host, port, context.quoteTimeout()),
                    TpmProvider.parsePcrs(pcrs(context)));
        }

        private static String target(ProviderContext c) {
            return c.setting(ProviderContext.PROVIDER_ARGUMENT).or(() -> c.setting("tpm.swtpm")).orElse("127.0.0.1:2321");
        }
    }
}
