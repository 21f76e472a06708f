// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import com.sun.jna.Memory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.abi.SevGuestAbi;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.snp.guest.SevGuestDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A fake {@code /dev/sev-guest} (go-sev-guest's test device): SNP_GET_REPORT, SNP_GET_EXT_REPORT and
 * SNP_GET_DERIVED_KEY answered by the SNP emulator with the kernel's conventions, so the real
 * {@link SevGuestDevice} code runs end to end without an SNP guest. Firmware refusals (a VMPL below
 * the guest's) come back as the response's status; a certificate buffer that is too small gets EIO,
 * VMM error INVALID_LEN and the page-rounded size needed, as the kernel gives them.
 */
public final class FakeSevGuestDevice {
    private static final int PAGE = 4096;
    private static final long SEV_RET_INVALID_PARAM = 0x16;

    private final SnpEmulatedProvider chip;
    private final FakeCharDevice device;
    private final List<CertTable.Entry> extraCertificates = new ArrayList<>();

    private FakeSevGuestDevice(SnpEmulatedProvider chip, FakeCharDevice device) {
        this.chip = chip;
        this.device = device.on(SevGuestAbi.SNP_GET_REPORT, arg -> report(arg, false))
                .on(SevGuestAbi.SNP_GET_EXT_REPORT, arg -> report(arg, true))
                .on(SevGuestAbi.SNP_GET_DERIVED_KEY, this::derivedKey);
    }

    /**
     * An emulated SNP guest configured by {@code context} (its state directory and the {@code snp.*}
     * settings, e.g. {@code snp.vmpl}), behind a device at {@code context.deviceDir()/sev-guest}.
     * The device node itself is not created.
     */
    public static FakeSevGuestDevice open(ProviderContext context) {
        return new FakeSevGuestDevice(SnpEmulatedProvider.open(context), new FakeCharDevice(context.deviceDir().resolve("sev-guest")));
    }

    /** The fake device, to inject failures or count calls. */
    public FakeCharDevice device() {
        return device;
    }

    /** The emulated chip answering, for its certificates. */
    public SnpEmulatedProvider emulator() {
        return chip;
    }

    /** The real device code over this fake. */
    public SevGuestDevice guest() {
        return new SevGuestDevice(device, device.path());
    }

    /** A further certificate the host appends to the table, e.g. to make the table outgrow the kernel's 16 KiB. */
    public synchronized FakeSevGuestDevice addCertificate(UUID guid, Bytes certificate) {
        extraCertificates.add(new CertTable.Entry(guid, certificate));
        return this;
    }

    /** The certificate table the host hands out: the emulator's, then any added ones. */
    private synchronized byte[] certificateTable(Bytes emulated) {
        List<CertTable.Entry> entries = new ArrayList<>(CertTable.parse(emulated.toArray()).entries());
        entries.addAll(extraCertificates);
        return new CertTable(entries).toBytes();
    }

    /** SNP_GET_REPORT and SNP_GET_EXT_REPORT: struct snp_report_req (+ certs_address, certs_len) in, MSG_REPORT_RSP out. */
    private int report(Memory arg, boolean extended) {
        String what = extended ? "SNP_GET_EXT_REPORT" : "SNP_GET_REPORT";
        ByteBuffer ioctl = le(UserMemory.argument(arg, SevGuestAbi.IOCTL_SIZE, what));
        long reqAddress = ioctl.getLong(8);
        long respAddress = ioctl.getLong(16);
        ByteBuffer req = le(UserMemory.read(reqAddress, extended ? SevGuestAbi.EXT_REPORT_REQ_SIZE : SevGuestAbi.REPORT_REQ_SIZE, what));
        byte[] userData = new byte[64];
        req.get(0, userData);
        int vmpl = req.getInt(64);
        long certsAddress = extended ? req.getLong(96) : 0;
        int certsLength = extended ? req.getInt(104) : 0;
        if (vmpl < chip.privlevelFloor() || vmpl > 3) {
            UserMemory.write(respAddress, reportResponse(SEV_RET_INVALID_PARAM, new byte[0]), what);
            return 0;
        }
        ReportBlobs blobs = guarded(() -> chip.report(ReportRequest.builder().inblob(userData).privlevel(vmpl).build()));
        if (certsAddress != 0 && certsLength != 0) { // the kernel treats a missing buffer as a plain report
            byte[] table = certificateTable(blobs.auxblob());
            if (certsLength < table.length) {
                int needed = (table.length + PAGE - 1) / PAGE * PAGE;
                UserMemory.write(reqAddress, req.putInt(104, needed).array(), what);
                exitInfo(arg, 0, SevGuestAbi.VMM_ERR_INVALID_LEN);
                throw new SyscallException(what + ": certificate buffer of " + certsLength + " bytes, " + needed + " needed", Errno.EIO);
            }
            UserMemory.write(certsAddress, table, what);
        }
        UserMemory.write(respAddress, reportResponse(0, blobs.outblob().toArray()), what);
        return 0;
    }

    /** SNP_GET_DERIVED_KEY: struct snp_derived_key_req in, MSG_KEY_RSP out; a firmware refusal is the response's status. */
    private int derivedKey(Memory arg) {
        String what = "SNP_GET_DERIVED_KEY";
        ByteBuffer ioctl = le(UserMemory.argument(arg, SevGuestAbi.IOCTL_SIZE, what));
        ByteBuffer req = le(UserMemory.read(ioctl.getLong(8), SevGuestAbi.DERIVED_KEY_REQ_SIZE, what));
        ByteBuffer resp = le(new byte[SevGuestAbi.DERIVED_KEY_RESP_SIZE]);
        try {
            byte[] key = chip.derivedKey(req.getInt(0), req.getLong(8), req.getInt(16), req.getInt(20) & 0xffffffffL,
                    new TcbVersion(req.getLong(24)));
            resp.put(32, key);
        } catch (AttestationException e) {
            if (e.vendorStatus().isEmpty()) {
                throw new SyscallException(what + ": " + e.getMessage(), Errno.of(e));
            }
            resp.putInt(0, (int) e.vendorStatus().getAsLong());
        }
        UserMemory.write(ioctl.getLong(16), resp.array(), what);
        return 0;
    }

    /** MSG_REPORT_RSP: status, report_size, 24 reserved bytes, the report. */
    private static byte[] reportResponse(long status, byte[] report) {
        ByteBuffer b = le(new byte[SevGuestAbi.REPORT_RESP_SIZE]);
        b.putInt(0, (int) status).putInt(4, report.length).put(32, report);
        return b.array();
    }

    /** exitinfo2: firmware error in bits 31:0, VMM error in 63:32, little-endian as on x86. */
    private static void exitInfo(Memory arg, int firmwareError, int vmmError) {
        arg.write(24, le(new byte[8]).putInt(0, firmwareError).putInt(4, vmmError).array(), 0, 8);
    }

    /** The emulator's failures as the kernel would return them: an errno. */
    private static ReportBlobs guarded(Supplier<ReportBlobs> call) {
        try {
            return call.get();
        } catch (AttestationException e) {
            throw new SyscallException("emulated SNP firmware: " + e.getMessage(), Errno.of(e));
        }
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
