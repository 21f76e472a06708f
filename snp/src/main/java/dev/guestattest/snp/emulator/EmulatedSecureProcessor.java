// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.abi.FirmwareError;
import dev.guestattest.snp.abi.SigningKey;
import dev.guestattest.snp.abi.TcbVersion;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * The emulated AMD secure processor's guest-facing services: MSG_REPORT_REQ (a report signed by the
 * VCEK or VLEK, with the certificate table the host would attach) and MSG_KEY_REQ (derived keys).
 */
final class EmulatedSecureProcessor {
    static final long FIELD_SELECT_MASK = 0x3f;
    private static final long SEV_RET_INVALID_PARAM = 0x16;

    private final EmulatedSnpPlatform chip;
    private final SnpGuestConfig guest;
    private final boolean vlek;
    private final EmulatedSnpPlatform.SigningKeyPair signing;

    EmulatedSecureProcessor(EmulatedSnpPlatform chip, SnpGuestConfig guest, boolean vlek, Clock clock) {
        this.chip = chip;
        this.guest = guest;
        this.vlek = vlek;
        this.signing = chip.signingKey(EmulatedSnpPlatform.TCB, vlek, clock);
    }

    AttestationReport report(Bytes reportData, int vmpl) {
        AttestationReport.Builder b = AttestationReport.builder().version(3).guestSvn(guest.guestSvn()).policy(guest.policy())
                .familyId(guest.familyId()).imageId(guest.imageId()).vmpl(vmpl).signatureAlgo(1).currentTcb(EmulatedSnpPlatform.TCB)
                .platformInfo(1).signer(vlek ? SigningKey.VLEK : SigningKey.VCEK, false, vlek).reportData(reportData)
                .measurement(guest.measurement()).hostData(guest.hostData()).idKeyDigest(guest.idKeyDigest())
                .authorKeyDigest(guest.authorKeyDigest())
                .reportId(Bytes.of(Arrays.copyOf(chip.derive(concat("report-id", guest.measurement().toArray())), 32)))
                .reportIdMa(Bytes.of(filled(32))).reportedTcb(EmulatedSnpPlatform.TCB).cpuid(0x19, 0x01, 0x01)
                .chipId(vlek ? Bytes.zeros(64) : chip.chipId()).committedTcb(EmulatedSnpPlatform.TCB)
                .currentFirmware(EmulatedSnpPlatform.FIRMWARE).committedFirmware(EmulatedSnpPlatform.FIRMWARE)
                .launchTcb(EmulatedSnpPlatform.TCB);
        byte[] rs = sign(b.build().signedRegion());
        return b.signature(new BigInteger(1, Arrays.copyOfRange(rs, 0, 48)), new BigInteger(1, Arrays.copyOfRange(rs, 48, 96))).build();
    }

    /** VCEK (or VLEK), ASK (or ASVK), ARK: what SNP_GET_EXT_REPORT and configfs's auxblob return. */
    CertTable certTable() {
        try {
            return new CertTable(List.of(
                    new CertTable.Entry(vlek ? CertTable.VLEK : CertTable.VCEK, Bytes.of(signing.certificate().getEncoded())),
                    new CertTable.Entry(CertTable.ASK, Bytes.of((vlek ? chip.asvkCertificate() : chip.askCertificate()).getEncoded())),
                    new CertTable.Entry(CertTable.ARK, Bytes.of(chip.arkCertificate().getEncoded()))));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * MSG_KEY_REQ: a 32-byte key from the chip secret (root 0, "VCEK") or the VM root key (root 1),
     * mixed with the requesting VMPL and the launch fields {@code fieldSelect} picks (bit 0 policy,
     * 1 image ID, 2 family ID, 3 measurement, 4 guest SVN, 5 TCB). The firmware's rules apply:
     * VMPL at least the caller's, guest SVN at most the launch's, TCB at most the committed one.
     */
    byte[] derivedKey(int rootKeySelect, long fieldSelect, int vmpl, int callerVmpl, long guestSvn, TcbVersion tcb) {
        if (rootKeySelect != 0 && rootKeySelect != 1) {
            throw invalidParam("root_key_select " + rootKeySelect + " is not 0 (VCEK) or 1 (VMRK)");
        }
        if ((fieldSelect & ~FIELD_SELECT_MASK) != 0) {
            throw invalidParam(String.format("guest_field_select 0x%x sets reserved bits (allowed 0x3f)", fieldSelect));
        }
        if (vmpl < callerVmpl || vmpl > 3) {
            throw invalidParam("vmpl " + vmpl + " is below the caller's VMPL " + callerVmpl + " (or above 3)");
        }
        if (guestSvn > guest.guestSvn()) {
            throw invalidParam("guest_svn " + guestSvn + " exceeds the launch's " + guest.guestSvn());
        }
        if (!EmulatedSnpPlatform.TCB.atLeast(tcb, TcbVersion.Layout.MILAN_GENOA)) {
            throw invalidParam("tcb_version " + tcb + " exceeds the committed TCB " + EmulatedSnpPlatform.TCB);
        }
        ByteWriter w = new ByteWriter(256).u32(rootKeySelect).u64(fieldSelect).u32(vmpl);
        if ((fieldSelect & 1) != 0) {
            w.u64(guest.policy().raw());
        }
        if ((fieldSelect & 2) != 0) {
            w.bytes(guest.imageId());
        }
        if ((fieldSelect & 4) != 0) {
            w.bytes(guest.familyId());
        }
        if ((fieldSelect & 8) != 0) {
            w.bytes(guest.measurement());
        }
        if ((fieldSelect & 16) != 0) {
            w.u64(guestSvn);
        }
        if ((fieldSelect & 32) != 0) {
            w.u64(tcb.raw());
        }
        return Arrays.copyOf(chip.derive(concat("derived-key", w.toByteArray())), 32);
    }

    private static AttestationException invalidParam(String why) {
        return AttestationException.device(SEV_RET_INVALID_PARAM, "SNP firmware: " + FirmwareError.describe(SEV_RET_INVALID_PARAM) + ": " + why);
    }

    private byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
            s.initSign(signing.key());
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-384 ECDSA is mandatory in every JDK", e);
        }
    }

    private static byte[] concat(String label, byte[] data) {
        byte[] l = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(l, l.length + 1 + data.length);
        System.arraycopy(data, 0, out, l.length + 1, data.length);
        return out;
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xff);
        return b;
    }

    static AttestationException busyTimeout(long ms) {
        return AttestationException.of(Reason.TIMEOUT, "SNP host stayed busy for " + ms + " ms (the kernel retries every 2 s for 60 s)");
    }
}
