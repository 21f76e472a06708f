// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code /dev/uv} attestation structures (linux-abi.md §3.3): {@code struct uvio_attest}
 * (0x138 bytes) and the ioctl control block (0x40 bytes), in the s390x's big-endian byte order,
 * with the ultravisor's return codes as readable reasons.
 */
public final class UltravisorAttest {
    public static final long UVIO_IOCTL_ATT = 0xC0407501L;
    public static final int ATTEST_SIZE = 0x138;
    public static final int CONTROL_BLOCK_SIZE = 0x40;
    public static final int MAX_ARCB = 0x100000;
    public static final int MEASUREMENT_SIZE = 64;
    public static final int UV_RC_EXECUTED = 1;

    private UltravisorAttest() {
    }

    public static byte[] attest(long arcbAddr, int arcbLen, long measAddr, long addDataAddr, int addDataLen, Bytes userData) {
        if (arcbLen < 1 || arcbLen > MAX_ARCB) {
            throw AttestationException.invalid("ARCB", arcbLen + " bytes is outside 1.." + MAX_ARCB);
        }
        if (userData.length() > SecureExecutionMeasurement.MAX_USER_DATA) {
            throw AttestationException.tooLarge("user data", userData.length(), SecureExecutionMeasurement.MAX_USER_DATA);
        }
        ByteBuffer b = ByteBuffer.allocate(ATTEST_SIZE).order(ByteOrder.BIG_ENDIAN);
        b.putLong(0x00, arcbAddr).putLong(0x08, measAddr).putLong(0x10, addDataAddr).put(0x18, userData.toArray())
                .putInt(0x128, arcbLen).putInt(0x12C, MEASUREMENT_SIZE).putInt(0x130, addDataLen).putShort(0x134, (short) userData.length());
        return b.array();
    }

    /** The config UID the ultravisor wrote back. */
    public static Bytes configUid(byte[] attest) {
        return Bytes.of(attest, 0x118, 16);
    }

    public static int additionalDataLength(byte[] attest) {
        return ByteBuffer.wrap(attest).order(ByteOrder.BIG_ENDIAN).getInt(0x130);
    }

    public static byte[] controlBlock(long argumentAddr) {
        ByteBuffer b = ByteBuffer.allocate(CONTROL_BLOCK_SIZE).order(ByteOrder.BIG_ENDIAN);
        b.putLong(0x08, argumentAddr).putInt(0x10, ATTEST_SIZE);
        return b.array();
    }

    /** uv_rc and uv_rrc from a control block after the ioctl. */
    public record Result(int rc, int rrc) {
        public boolean ok() {
            return rc == UV_RC_EXECUTED;
        }

        /** The codes as numbers: the ultravisor's reasons are in IBM's documentation, not in the kernel's headers. */
        public String explain() {
            return String.format("UV rc 0x%04x rrc 0x%04x%s", rc, rrc, rc == UV_RC_EXECUTED ? " (executed)"
                    : " (not executed; see the Secure Execution documentation for this return code)");
        }
    }

    public static Result result(byte[] controlBlock) {
        ByteBuffer b = ByteBuffer.wrap(controlBlock).order(ByteOrder.BIG_ENDIAN);
        return new Result(b.getShort(0x04) & 0xffff, b.getShort(0x06) & 0xffff);
    }
}
