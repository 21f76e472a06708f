// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SnpAbiTest {
    @Test
    void tcbVersionsReadInBothLayouts() {
        TcbVersion milan = new TcbVersion(0x4405000000000002L);
        assertThat(milan.parts(TcbVersion.Layout.MILAN_GENOA)).isEqualTo(new TcbVersion.Parts(0, 2, 0, 5, 0x44));
        assertThat(TcbVersion.of(TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(0, 2, 0, 5, 0x44))).isEqualTo(milan);
        TcbVersion turin = TcbVersion.of(TcbVersion.Layout.TURIN, new TcbVersion.Parts(1, 2, 3, 4, 9));
        assertThat(turin.raw()).isEqualTo(0x0900000004030201L);
        assertThat(turin.parts(TcbVersion.Layout.TURIN)).isEqualTo(new TcbVersion.Parts(1, 2, 3, 4, 9));
        assertThat(milan.atLeast(new TcbVersion(0x4405000000000001L), TcbVersion.Layout.MILAN_GENOA)).isTrue();
        assertThat(milan.atLeast(new TcbVersion(0x4406000000000000L), TcbVersion.Layout.MILAN_GENOA)).isFalse();
    }

    @Test
    void policyBitsDecode() {
        GuestPolicy p = new GuestPolicy(0xb0000L);
        assertThat(p.smtAllowed()).isTrue();
        assertThat(p.debugAllowed()).isTrue();
        assertThat(p.migrationAgentAllowed()).isFalse();
        assertThat(p.singleSocket()).isFalse();
        assertThat(p.wellFormed()).isTrue();
        assertThat(new GuestPolicy(0x10000L).wellFormed()).as("bit 17 must be 1").isFalse();
        assertThat(new GuestPolicy(0x30000L | 1L << 40).wellFormed()).as("bits 26-63 must be 0").isFalse();
        assertThat(new GuestPolicy(0x31f05L).abiMajor()).isEqualTo(0x1f);
    }

    @Test
    void theBuilderWritesEveryFieldAtItsOffsetAndTheSignatureLittleEndian() {
        AttestationReport r = AttestationReport.builder().version(5).guestSvn(7).policy(new GuestPolicy(0x30000)).vmpl(2).signatureAlgo(1)
                .currentTcb(new TcbVersion(0x1122334455667788L)).reportData(Bytes.fromHex("d", "aa".repeat(64)))
                .measurement(Bytes.fromHex("m", "bb".repeat(48))).hostData(Bytes.fromHex("h", "cc".repeat(32))).cpuid(0x1A, 2, 1)
                .chipId(Bytes.fromHex("c", "dd".repeat(64))).mitigationVectors(3, 4)
                .currentFirmware(new AttestationReport.Firmware(1, 55, 21)).signature(BigInteger.valueOf(0x0102), BigInteger.valueOf(0x0304))
                .signer(SigningKey.VLEK, true, true).build();
        ByteBuffer b = ByteBuffer.wrap(r.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(5);
        assertThat(b.getInt(0x30)).isEqualTo(2);
        assertThat(b.getLong(0x38)).isEqualTo(0x1122334455667788L);
        assertThat(b.get(0x50)).isEqualTo((byte) 0xaa);
        assertThat(b.get(0x188)).isEqualTo((byte) 0x1a);
        assertThat(b.getInt(0x48)).isEqualTo(1 << 2 | 2 | 1);
        assertThat(b.get(0x2A0)).isEqualTo((byte) 0x02);
        assertThat(b.get(0x2A1)).isEqualTo((byte) 0x01);
        assertThat(b.get(0x2E8)).isEqualTo((byte) 0x04);
        assertThat(r.signatureR()).isEqualTo(BigInteger.valueOf(0x0102));
        assertThat(r.signingKey()).isEqualTo(SigningKey.VLEK);
        assertThat(r.chipIdMasked()).isTrue();
        assertThat(r.authorKeyEnabled()).isTrue();
        assertThat(r.tcbLayout()).isEqualTo(TcbVersion.Layout.TURIN);
        assertThat(r.launchMitigationVector()).isEqualTo(3);
        assertThat(r.currentMitigationVector()).isEqualTo(4);
        assertThat(r.currentFirmware()).hasToString("1.55 build 21");
        assertThat(AttestationReport.parse(r.toBytes())).isEqualTo(r);
        assertThat(r.signedRegion()).hasSize(0x2A0);
    }

    @Test
    void reportsMustBeExactly0x4A0Bytes() {
        assertThatThrownBy(() -> AttestationReport.parse(new byte[1183])).hasMessage("attestation report: must be exactly 1184 bytes, got 1183");
        byte[] real = Vectors.read("amd-sev-snp/go-sev-guest/attestation.bin");
        assertThat(AttestationReport.parse(real).reservedFieldsZero()).isTrue();
        real[0x208] = 1;
        assertThat(AttestationReport.parse(real).reservedFieldsZero()).isFalse();
    }

    @Test
    void theCertificateTableRoundTripsAndItsGuidsAreMixedEndian() {
        CertTable t = new CertTable(List.of(new CertTable.Entry(CertTable.VCEK, Bytes.fromHex("a", "3082aa")),
                new CertTable.Entry(CertTable.ARK, Bytes.fromHex("b", "3082bbbb"))));
        byte[] raw = t.toBytes();
        assertThat(raw).hasSize(3 * 24 + 3 + 4);
        // 63da758d-e664-4564-... is stored 8d 75 da 63 64 e6 64 45 ad c5 ...
        assertThat(Bytes.of(raw, 0, 16).hex()).isEqualTo("8d75da6364e66445adc5f4b93be8accd");
        assertThat(CertTable.parse(raw)).isEqualTo(t);
        assertThat(CertTable.parse(raw).find(CertTable.ARK)).contains(Bytes.fromHex("b", "3082bbbb"));
        assertThat(CertTable.guid(CertTable.guidBytes(UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782"))))
                .isEqualTo(CertTable.ASK);
    }

    @Test
    void certificateTablesWithBadOffsetsOrNoTerminatorAreRefused() {
        byte[] raw = new CertTable(List.of(new CertTable.Entry(CertTable.VCEK, Bytes.fromHex("a", "3082aa")))).toBytes();
        byte[] outside = raw.clone();
        ByteBuffer.wrap(outside).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 1000);
        assertThatThrownBy(() -> CertTable.parse(outside)).isInstanceOfSatisfying(AttestationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT)).hasMessageContaining("lies outside the 51-byte table");
        byte[] intoEntries = raw.clone();
        ByteBuffer.wrap(intoEntries).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 4);
        assertThatThrownBy(() -> CertTable.parse(intoEntries)).hasMessageContaining("inside its entries");
        assertThatThrownBy(() -> CertTable.parse(java.util.Arrays.copyOf(raw, 30))).hasMessageContaining("certificate table");
        assertThatThrownBy(() -> CertTable.parse(new byte[CertTable.MAX_SIZE + 1])).hasMessageContaining("exceeds the limit");
    }

    @Test
    void theIoctlStructuresHaveTheKernelsSizesAndOffsets() {
        assertThat(SevGuestAbi.SNP_GET_REPORT).isEqualTo(0xC0205300L);
        assertThat(SevGuestAbi.SNP_GET_EXT_REPORT).isEqualTo(0xC0205302L);
        byte[] req = SevGuestAbi.extReportRequest(Bytes.fromHex("u", "11".repeat(64)), 3, 0x1000, 16384);
        ByteBuffer b = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(req).hasSize(112);
        assertThat(b.getInt(64)).isEqualTo(3);
        assertThat(b.getLong(96)).isEqualTo(0x1000);
        assertThat(b.getInt(104)).isEqualTo(16384);
        byte[] key = SevGuestAbi.derivedKeyRequest(1, 0x3f, 2, 5, new TcbVersion(0x42));
        ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(key).hasSize(32);
        assertThat(k.getInt(0)).isEqualTo(1);
        assertThat(k.getLong(8)).isEqualTo(0x3f);
        assertThat(k.getInt(16)).isEqualTo(2);
        assertThat(k.getInt(20)).isEqualTo(5);
        assertThat(k.getLong(24)).isEqualTo(0x42);
        byte[] ioctl = SevGuestAbi.guestRequest(1, 0xaa, 0xbb);
        ByteBuffer i = ByteBuffer.wrap(ioctl).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ioctl).hasSize(32);
        assertThat(i.get(0)).isEqualTo((byte) 1);
        assertThat(i.getLong(8)).isEqualTo(0xaa);
        assertThat(i.getLong(16)).isEqualTo(0xbb);
        i.putInt(24, 0x16).putInt(28, 1);
        assertThat(SevGuestAbi.ExitInfo.of(ioctl)).isEqualTo(new SevGuestAbi.ExitInfo(0x16, 1));
        assertThatThrownBy(() -> SevGuestAbi.reportRequest(Bytes.zeros(64), 4)).hasMessage("vmpl: 4 is outside 0..3");
        assertThat(FirmwareError.describe(0x16)).startsWith("0x16 INVALID_PARAM");
    }

    @Test
    void responsesCarryTheReportOrTheFirmwareStatus() {
        byte[] resp = new byte[SevGuestAbi.REPORT_RESP_SIZE];
        byte[] report = Vectors.read("amd-sev-snp/go-sev-guest/attestation.bin");
        ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN).putInt(4, AttestationReport.SIZE).put(32, report);
        assertThat(SevGuestAbi.reportResponse(resp).toBytes()).isEqualTo(report);
        ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x16);
        assertThatThrownBy(() -> SevGuestAbi.reportResponse(resp)).isInstanceOfSatisfying(AttestationException.class,
                e -> assertThat(e.vendorStatus()).hasValue(0x16)).hasMessageContaining("INVALID_PARAM");
    }
}
