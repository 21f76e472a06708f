package dev.guestattest.s390.guest;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportProvider;
import java.nio.file.Files;

/** Factory for {@code s390/device}. No configfs-tsm provider exists for s390. */
public final class S390DeviceFactory implements ProviderFactory {
    @Override
    public String name() {
        return S390Device.NAME;
    }

    @Override
    public String description() {
        return "IBM Secure Execution attestation via /dev/uv (the verifier's request in setting s390.arcb)";
    }

    @Override
    public boolean emulated() {
        return false;
    }

    @Override
    public Availability probe(ProviderContext context) {
        var d = context.deviceDir().resolve("uv");
        return Files.exists(d) ? Availability.yes(d + " present") : Availability.no(d + " not found (not a Secure Execution guest)");
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return S390Device.open(context);
    }
}
