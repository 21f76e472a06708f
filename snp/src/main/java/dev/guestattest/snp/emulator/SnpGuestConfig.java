// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.GuestPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the emulated guest was launched with: its measurement, host data, policy, ID-block digests and identity. */
public record SnpGuestConfig(Bytes measurement, Bytes hostData, GuestPolicy policy, Bytes idKeyDigest, Bytes authorKeyDigest,
                             Bytes familyId, Bytes imageId, long guestSvn) {
    /** SMT allowed, reserved bit 17 set, ABI 0.0; no debug, no migration agent. */
    public static final GuestPolicy DEFAULT_POLICY = new GuestPolicy(GuestPolicy.SMT | GuestPolicy.RESERVED_ONE);
    public static final SnpGuestConfig DEFAULT = new SnpGuestConfig(Bytes.of(sha384("GuestAttest emulated SNP guest")), Bytes.zeros(32),
            DEFAULT_POLICY, Bytes.zeros(48), Bytes.zeros(48), Bytes.zeros(16), Bytes.zeros(16), 1);

    public SnpGuestConfig {
        measurement.checkLength("measurement", 48);
        hostData.checkLength("host data", 32);
        idKeyDigest.checkLength("id key digest", 48);
        authorKeyDigest.checkLength("author key digest", 48);
        familyId.checkLength("family id", 16);
        imageId.checkLength("image id", 16);
        if (!policy.wellFormed()) {
            throw AttestationException.invalid("policy", policy + " must set bit 17 and no bit above 25");
        }
    }

    /**
     * The default launch, with {@code snp.measurement}, {@code snp.host-data} and {@code snp.policy} (hex) settings applied; without
     * the host-data setting, the host data the guest was last launched with ({@link #launchHostData}), if any.
     */
    public static SnpGuestConfig from(ProviderContext context) {
        SnpGuestConfig c = DEFAULT;
        Bytes measurement = context.setting("snp.measurement").map(h -> Bytes.fromHex("snp.measurement", h)).orElse(c.measurement);
        Bytes hostData = context.setting("snp.host-data").map(h -> Bytes.fromHex("snp.host-data", h))
                .orElseGet(() -> launched(context).orElse(c.hostData));
        GuestPolicy policy = context.setting("snp.policy").map(SnpGuestConfig::policy).orElse(c.policy);
        return new SnpGuestConfig(measurement, hostData, policy, c.idKeyDigest, c.authorKeyDigest, c.familyId, c.imageId, c.guestSvn);
    }

    /** Where {@code emulator reset --init-data} keeps the host data the next launch carries: {@code <state dir>/snp/host-data} (hex). */
    public static Path launchHostData(ProviderContext context) {
        return SnpEmulatedProvider.stateDir(context).resolve("host-data");
    }

    /** Launches the emulated guest with {@code hostData} from now on (the state directory made 0700 if new). */
    public static void launchWith(ProviderContext context, Bytes hostData) {
        hostData.checkLength("host data", 32);
        try {
            dev.guestattest.core.state.AtomicFiles.createPrivateDirectories(SnpEmulatedProvider.stateDir(context));
            dev.guestattest.core.state.AtomicFiles.write(launchHostData(context), hostData.hex().getBytes(StandardCharsets.US_ASCII), false);
        } catch (IOException e) {
            throw AttestationException.of(dev.guestattest.core.Reason.IO_ERROR, launchHostData(context) + " cannot be written: " + e.getMessage());
        }
    }

    private static java.util.Optional<Bytes> launched(ProviderContext context) {
        Path f = launchHostData(context);
        if (!Files.isRegularFile(f)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Bytes.fromHex(f.toString(), Files.readString(f, StandardCharsets.US_ASCII).strip()).checkLength(f.toString(), 32));
        } catch (IOException e) {
            throw AttestationException.of(dev.guestattest.core.Reason.IO_ERROR, f + " cannot be read: " + e.getMessage());
        }
    }

    private static GuestPolicy policy(String text) {
        try {
            return new GuestPolicy(Long.parseUnsignedLong(text.startsWith("0x") ? text.substring(2) : text, 16));
        } catch (NumberFormatException e) {
            throw AttestationException.invalid("snp.policy", "'" + text + "' is not a hex u64");
        }
    }

    static byte[] sha384(String s) {
        return dev.guestattest.core.mr.HashAlgorithm.SHA384.hash(s.getBytes(StandardCharsets.US_ASCII));
    }
}
