// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390;

import dev.guestattest.core.Availability;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.s390.emulator.S390EmulatedProvider;
import dev.guestattest.s390.guest.S390Device;
import java.util.List;

/** The Secure Execution providers: {@code /dev/uv} and the emulator. No configfs-tsm provider exists for s390. */
public final class S390Providers implements ProviderCatalog {
    public static final ProviderFactory DEVICE = ProviderFactory.of(S390Device.NAME,
            "IBM Secure Execution attestation via /dev/uv (the verifier's request in setting s390.arcb)", false,
            c -> DeviceFile.presence(c.deviceDir().resolve("uv"), "not a Secure Execution guest"), S390Device::open);

    public static final ProviderFactory EMULATED = ProviderFactory.of(S390EmulatedProvider.NAME,
            "Emulated IBM Secure Execution ultravisor (inblob = user data; the verifier's ARCB in setting s390.arcb)", true,
            c -> Availability.yes("software ultravisor; state in " + c.stateDir().resolve("s390")), S390EmulatedProvider::open);

    @Override
    public List<ProviderFactory> providers() {
        return List.of(DEVICE, EMULATED);
    }
}
