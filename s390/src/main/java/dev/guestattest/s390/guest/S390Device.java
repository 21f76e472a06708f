// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.guest;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.device.CharDevice;
import dev.guestattest.core.device.DeviceFile;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.abi.AttestationResponse;
import dev.guestattest.s390.abi.UltravisorAttest;
import dev.guestattest.s390.emulator.S390EmulatedProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code s390/device}: Retrieve Attestation Measurement through {@code /dev/uv} (UVIO_IOCTL_ATT).
 * The inblob is the user data and setting {@code s390.arcb} names the verifier's request, as for the
 * emulator. UV errors are not errnos: the ioctl succeeds and uv_rc/uv_rrc say what happened.
 */
public final class S390Device implements ReportProvider {
    public static final String NAME = "s390/device";

    private final DeviceFile file;
    private final Path arcb;

    public S390Device(Path device, Path arcb) {
        this(CharDevice.linux(), device, arcb);
    }

    /** The device behind {@code io}: {@link CharDevice#linux()} in a guest, a fake in tests. */
    public S390Device(CharDevice io, Path device, Path arcb) {
        this.file = new DeviceFile(io, device);
        this.arcb = arcb;
    }

    public static S390Device open(ProviderContext c) {
        return new S390Device(c.deviceDir().resolve("uv"), c.setting("s390.arcb").map(Path::of)
                .orElseThrow(() -> AttestationException.invalid("s390.arcb", "name the verifier's attestation request file")));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean emulated() {
        return false;
    }

    @Override
    public InputRules inputRules() {
        return S390EmulatedProvider.INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        byte[] req;
        try {
            if (Files.size(arcb) > UltravisorAttest.MAX_ARCB) {
                throw AttestationException.tooLarge("s390.arcb", Files.size(arcb), UltravisorAttest.MAX_ARCB);
            }
            req = Files.readAllBytes(arcb);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "s390.arcb: cannot read " + arcb + ": " + e.getMessage());
        }
        return file.exchange(h -> measure(h, req, request.inblob()));
    }

    private ReportBlobs measure(CharDevice.Handle h, byte[] req, Bytes userData) {
        try (Memory arcbMem = copy(req); Memory meas = new Memory(UltravisorAttest.MEASUREMENT_SIZE);
             Memory add = new Memory(SecureExecutionMeasurement.MAX_ADDITIONAL_DATA)) {
            byte[] attest = UltravisorAttest.attest(Pointer.nativeValue(arcbMem), req.length, Pointer.nativeValue(meas), Pointer.nativeValue(add),
                    SecureExecutionMeasurement.MAX_ADDITIONAL_DATA, userData);
            try (Memory attestMem = copy(attest); Memory cb = copy(UltravisorAttest.controlBlock(Pointer.nativeValue(attestMem)))) {
                try {
                    h.ioctl(UltravisorAttest.UVIO_IOCTL_ATT, cb);
                } catch (SyscallException e) {
                    throw file.failure("UVIO_IOCTL_ATT on " + file.path(), e.errno());
                }
                UltravisorAttest.Result rc = UltravisorAttest.result(cb.getByteArray(0, UltravisorAttest.CONTROL_BLOCK_SIZE));
                if (!rc.ok()) {
                    throw AttestationException.device(rc.rc(), "Retrieve Attestation Measurement: " + rc.explain());
                }
                byte[] after = attestMem.getByteArray(0, UltravisorAttest.ATTEST_SIZE);
                int addLen = UltravisorAttest.additionalDataLength(after);
                if (addLen < 0 || addLen > SecureExecutionMeasurement.MAX_ADDITIONAL_DATA) {
                    throw AttestationException.device(0, "the ultravisor reported " + addLen + " bytes of additional data");
                }
                return ReportBlobs.of(new AttestationResponse(Bytes.of(meas.getByteArray(0, UltravisorAttest.MEASUREMENT_SIZE)),
                        Bytes.of(add.getByteArray(0, addLen)), UltravisorAttest.configUid(after), userData).toJson());
            }
        }
    }

    private static Memory copy(byte[] b) {
        Memory m = new Memory(b.length);
        m.write(0, b, 0, b.length);
        return m;
    }
}
