// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import com.sun.jna.Memory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.abi.UltravisorAttest;
import dev.guestattest.s390.emulator.EmulatedUltravisor;
import dev.guestattest.s390.emulator.S390EmulatedProvider;
import dev.guestattest.s390.guest.S390Device;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A fake {@code /dev/uv}: UVIO_IOCTL_ATT (Retrieve Attestation Measurement) answered by the emulated
 * ultravisor, so the real {@link S390Device} code runs end to end without Secure Execution. As on
 * the real device the ioctl succeeds and the control block's uv_rc says whether the ultravisor
 * executed the request; a request it cannot open gets {@link #RC_NOT_EXECUTED}.
 */
public final class FakeUvDevice {
    /** The fake's own "not executed" code for a request it cannot open; the real codes are IBM's. */
    public static final int RC_NOT_EXECUTED = 0x0100;

    private final EmulatedUltravisor uv;
    private final FakeCharDevice device;

    private FakeUvDevice(EmulatedUltravisor uv, Path path) {
        this.uv = uv;
        this.device = new FakeCharDevice(path).on(UltravisorAttest.UVIO_IOCTL_ATT, this::attest);
    }

    /**
     * The emulated ultravisor with its host key under {@code context.stateDir()/s390}, behind a
     * device at {@code context.deviceDir()/uv}. The device node itself is not created.
     */
    public static FakeUvDevice open(ProviderContext context) {
        return new FakeUvDevice(S390EmulatedProvider.open(context).ultravisor(), context.deviceDir().resolve("uv"));
    }

    /** The fake device, to inject failures or count calls. */
    public FakeCharDevice device() {
        return device;
    }

    /** The emulated ultravisor answering; a verifier seals its request to {@link EmulatedUltravisor#hostPublicKey()}. */
    public EmulatedUltravisor ultravisor() {
        return uv;
    }

    /** The real device code over this fake, sending the verifier's request stored in {@code arcb}. */
    public S390Device guest(Path arcb) {
        return new S390Device(device, device.path(), arcb);
    }

    /** struct uvio_ioctl_cb in, pointing at struct uvio_attest, whose buffers the ultravisor fills. */
    private int attest(Memory arg) {
        String what = "UVIO_IOCTL_ATT";
        ByteBuffer cb = be(UserMemory.argument(arg, UltravisorAttest.CONTROL_BLOCK_SIZE, what));
        long attestAddress = cb.getLong(0x08);
        if (cb.getInt(0x10) != UltravisorAttest.ATTEST_SIZE) {
            throw new SyscallException(what + ": argument size " + cb.getInt(0x10) + ", uvio_attest has " + UltravisorAttest.ATTEST_SIZE, Errno.EINVAL);
        }
        ByteBuffer attest = be(UserMemory.read(attestAddress, UltravisorAttest.ATTEST_SIZE, what));
        int arcbLength = attest.getInt(0x128);
        int measurementLength = attest.getInt(0x12C);
        int additionalLength = attest.getInt(0x130);
        int userDataLength = attest.getShort(0x134) & 0xffff;
        if (arcbLength < 1 || arcbLength > UltravisorAttest.MAX_ARCB || userDataLength > SecureExecutionMeasurement.MAX_USER_DATA
                || measurementLength < UltravisorAttest.MEASUREMENT_SIZE) {
            throw new SyscallException(what + ": lengths outside the kernel's limits", Errno.EINVAL);
        }
        byte[] userData = new byte[userDataLength];
        attest.get(0x18, userData);
        EmulatedUltravisor.Response r;
        try {
            r = uv.attest(UserMemory.read(attest.getLong(0x00), arcbLength, what), Bytes.of(userData));
        } catch (AttestationException e) {
            arg.write(0x04, be(new byte[4]).putShort(0, (short) RC_NOT_EXECUTED).array(), 0, 4);
            return 0;
        }
        if (r.additionalData().length() > additionalLength) {
            throw new SyscallException(what + ": additional data buffer too small", Errno.EINVAL);
        }
        UserMemory.write(attest.getLong(0x08), r.measurement().toArray(), what);
        if (r.additionalData().length() > 0) {
            UserMemory.write(attest.getLong(0x10), r.additionalData().toArray(), what);
        }
        attest.put(0x118, r.configUid().toArray()).putInt(0x130, r.additionalData().length());
        UserMemory.write(attestAddress, attest.array(), what);
        arg.write(0x04, be(new byte[4]).putShort(0, (short) UltravisorAttest.UV_RC_EXECUTED).array(), 0, 4);
        return 0;
    }

    /** s390x is big-endian, and so are its structures. */
    private static ByteBuffer be(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
    }
}
