// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.SnpInput;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.guest.SnpGuest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code snp/emulated}: an SNP guest on the emulated secure processor. The report is the outblob,
 * the certificate table the auxblob. Settings: {@code snp.vmpl} (the guest's own VMPL, the floor
 * for requests), {@code snp.signing-key} (vcek|vlek), {@code snp.measurement}, {@code snp.host-data},
 * {@code snp.policy}, and for tests {@code snp.busy} (answers the host gives as BUSY first),
 * {@code snp.busy-retry-ms} (2000) and {@code snp.busy-timeout-ms} (60000), which mirror the kernel's retry.
 */
public final class SnpEmulatedProvider implements ReportProvider, SnpGuest {
    public static final String NAME = "snp/emulated";

    private final EmulatedSnpPlatform chip;
    private final EmulatedSecureProcessor asp;
    private final int floor;
    private final AtomicInteger busy;
    private final long retryMs;
    private final long timeoutMs;

    private SnpEmulatedProvider(ProviderContext context) {
        this.chip = EmulatedSnpPlatform.open(stateDir(context), context.random(), context.clock());
        String key = context.setting("snp.signing-key").orElse("vcek");
        if (!key.equals("vcek") && !key.equals("vlek")) {
            throw AttestationException.invalid("snp.signing-key", "'" + key + "'; must be vcek or vlek");
        }
        this.asp = new EmulatedSecureProcessor(chip, SnpGuestConfig.from(context), key.equals("vlek"), context.clock());
        this.floor = intSetting(context, "snp.vmpl", 0, 0, 3);
        this.busy = new AtomicInteger(intSetting(context, "snp.busy", 0, 0, 1_000_000));
        this.retryMs = intSetting(context, "snp.busy-retry-ms", 2000, 1, 60_000);
        this.timeoutMs = intSetting(context, "snp.busy-timeout-ms", 60_000, 1, 3_600_000);
    }

    public static SnpEmulatedProvider open(ProviderContext context) {
        return new SnpEmulatedProvider(context);
    }

    /** Where the emulated chip keeps its state: {@code <state dir>/snp}. */
    public static Path stateDir(ProviderContext context) {
        return context.stateDir().resolve("snp");
    }

    public EmulatedSnpPlatform chip() {
        return chip;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public int privlevelFloor() {
        return floor;
    }

    @Override
    public InputRules inputRules() {
        return SnpInput.INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        awaitHost();
        return new ReportBlobs(Bytes.of(asp.report(request.inblob(), request.privlevel()).toBytes()), Bytes.of(asp.certTable().toBytes()),
                Bytes.EMPTY);
    }

    @Override
    public byte[] derivedKey(int rootKeySelect, long fieldSelect, int vmpl, long guestSvn, TcbVersion tcb) {
        awaitHost();
        return asp.derivedKey(rootKeySelect, fieldSelect, vmpl, floor, guestSvn, tcb);
    }

    /** The kernel resends a request the host answered BUSY, every 2 s for up to 60 s. */
    private void awaitHost() {
        long waited = 0;
        while (busy.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            if (waited + retryMs > timeoutMs) {
                throw EmulatedSecureProcessor.busyTimeout(waited);
            }
            try {
                Thread.sleep(retryMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AttestationException.of(Reason.INTERRUPTED, "interrupted while the SNP host was busy");
            }
            waited += retryMs;
        }
    }

    private static int intSetting(ProviderContext c, String key, int dflt, int min, int max) {
        String v = c.setting(key).orElse(null);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the range
        }
        throw AttestationException.invalid(key, "'" + v + "' is outside " + min + ".." + max);
    }
}
