// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code /dev/sev-guest} ioctl structures (include/uapi/linux/sev-guest.h, linux-abi.md §3.2):
 * exact sizes, offsets and ioctl numbers, bytes in and out, nothing else.
 */
public final class SevGuestAbi {
    public static final long SNP_GET_REPORT = 0xC0205300L;
    public static final long SNP_GET_DERIVED_KEY = 0xC0205301L;
    public static final long SNP_GET_EXT_REPORT = 0xC0205302L;
    /** struct snp_guest_request_ioctl: msg_version u8 (+7 pad), req_data u64, resp_data u64, exitinfo2 u64. */
    public static final int IOCTL_SIZE = 32;
    public static final int REPORT_REQ_SIZE = 96;
    /** snp_ext_report_req: the report request, certs_address u64 at 96, certs_len u32 at 104, padded to 112. */
    public static final int EXT_REPORT_REQ_SIZE = 112;
    public static final int DERIVED_KEY_REQ_SIZE = 32;
    public static final int REPORT_RESP_SIZE = 4000;
    public static final int DERIVED_KEY_RESP_SIZE = 64;
    /** The kernel's certificate area limit (SEV_FW_BLOB_MAX_SIZE). */
    public static final int MAX_CERTS = 16 * 1024;
    public static final int VMM_ERR_INVALID_LEN = 1;
    public static final int VMM_ERR_BUSY = 2;

    private SevGuestAbi() {
    }

    public static byte[] reportRequest(Bytes userData, int vmpl) {
        userData.checkLength("user_data", 64);
        checkVmpl(vmpl);
        ByteBuffer b = ByteBuffer.allocate(REPORT_REQ_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(userData.toArray()).putInt(64, vmpl);
        return b.array();
    }

    public static byte[] extReportRequest(Bytes userData, int vmpl, long certsAddress, int certsLength) {
        ByteBuffer b = ByteBuffer.allocate(EXT_REPORT_REQ_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(reportRequest(userData, vmpl)).putLong(96, certsAddress).putInt(104, certsLength);
        return b.array();
    }

    /** A derived-key request: root key (0 VCEK, 1 VMRK), field-select mask, VMPL, guest SVN, TCB version. */
    public static byte[] derivedKeyRequest(int rootKeySelect, long guestFieldSelect, int vmpl, long guestSvn, TcbVersion tcb) {
        checkVmpl(vmpl);
        ByteBuffer b = ByteBuffer.allocate(DERIVED_KEY_REQ_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, rootKeySelect).putLong(8, guestFieldSelect).putInt(16, vmpl).putInt(20, (int) guestSvn).putLong(24, tcb.raw());
        return b.array();
    }

    public static byte[] guestRequest(int msgVersion, long reqAddress, long respAddress) {
        ByteBuffer b = ByteBuffer.allocate(IOCTL_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) msgVersion).putLong(8, reqAddress).putLong(16, respAddress).putLong(24, 0);
        return b.array();
    }

    /** exitinfo2 after an ioctl: firmware error in bits 31:0, VMM error in 63:32. */
    public record ExitInfo(long firmwareError, long vmmError) {
        public static ExitInfo of(byte[] ioctl) {
            ByteBuffer b = ByteBuffer.wrap(ioctl).order(ByteOrder.LITTLE_ENDIAN);
            return new ExitInfo(b.getInt(24) & 0xffffffffL, b.getInt(28) & 0xffffffffL);
        }
    }

    /** The report inside MSG_REPORT_RSP: status u32, report_size u32, 24 reserved, the report. */
    public static AttestationReport reportResponse(byte[] resp) {
        ByteBuffer b = ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN);
        long status = b.getInt(0) & 0xffffffffL;
        long size = b.getInt(4) & 0xffffffffL;
        if (status != 0) {
            throw AttestationException.device(status, "SNP report response: firmware status " + FirmwareError.describe(status));
        }
        if (size != AttestationReport.SIZE || 32 + size > resp.length) {
            throw AttestationException.device(0, "SNP report response: report_size " + size + ", expected " + AttestationReport.SIZE);
        }
        byte[] report = new byte[AttestationReport.SIZE];
        b.get(32, report);
        return AttestationReport.parse(report);
    }

    /** The 32-byte key inside MSG_KEY_RSP: status u32, 28 reserved, the key. */
    public static byte[] derivedKeyResponse(byte[] resp) {
        ByteBuffer b = ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN);
        long status = b.getInt(0) & 0xffffffffL;
        if (status != 0) {
            throw AttestationException.device(status, "SNP derived key response: firmware status " + FirmwareError.describe(status));
        }
        byte[] key = new byte[32];
        b.get(32, key);
        return key;
    }

    static void checkVmpl(int vmpl) {
        if (vmpl < 0 || vmpl > 3) {
            throw AttestationException.invalid("vmpl", vmpl + " is outside 0..3");
        }
    }
}
