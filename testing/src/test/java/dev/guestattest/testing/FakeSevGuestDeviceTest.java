// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.abi.SevGuestAbi;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@link dev.guestattest.snp.guest.SevGuestDevice} marshalling against a fake /dev/sev-guest backed by the SNP emulator. */
class FakeSevGuestDeviceTest {
    @TempDir
    static Path tmp; // one chip for the class: its RSA-4096 keys take seconds to make

    private static ProviderContext context;

    @BeforeAll
    static void chip() {
        context = ProviderContext.defaults().withStateDir(tmp.resolve("state")).withDeviceDir(tmp.resolve("dev"));
        FakeSevGuestDevice.open(context);
    }

    private static ReportRequest request(int vmpl) {
        byte[] nonce = new byte[64];
        nonce[0] = (byte) (0x40 + vmpl);
        return ReportRequest.builder().inblob(nonce).privlevel(vmpl).build();
    }

    private static SnpVerification verify(FakeSevGuestDevice fake, ReportBlobs blobs) {
        EmulatedSnpPlatform chip = fake.emulator().chip();
        SnpVerifier verifier = SnpVerifier.builder()
                .roots(AmdRoots.amd().plus(chip.arkCertificate(), List.of(chip.askCertificate(), chip.asvkCertificate()))).build();
        return verifier.verify(blobs.outblob().toArray(), SnpCertificates.fromTable(CertTable.parse(blobs.auxblob().toArray())));
    }

    @Test
    void anExtendedReportThroughTheRealDeviceVerifies() {
        FakeSevGuestDevice fake = FakeSevGuestDevice.open(context);
        ReportBlobs blobs = fake.guest().report(request(1));
        AttestationReport report = AttestationReport.parse(blobs.outblob().toArray());
        assertThat(report.vmpl()).isEqualTo(1);
        assertThat(report.reportData()).isEqualTo(request(1).inblob());
        assertThat(blobs.auxblob().length()).isEqualTo(SevGuestAbi.MAX_CERTS); // the kernel's whole certificate area
        SnpVerification v = verify(fake, blobs);
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.claims().orElseThrow().reportData()).isEqualTo(request(1).inblob());
        assertThat(fake.device().requests()).containsExactly(SevGuestAbi.SNP_GET_EXT_REPORT);
        assertThat(fake.device().closed()).isEqualTo(1);
    }

    @Test
    void aTableBiggerThanTheKernelsAreaIsFetchedAgainWithTheSizeTheHostNeeds() {
        UUID extra = UUID.fromString("00000000-0000-4000-8000-000000000001");
        FakeSevGuestDevice fake = FakeSevGuestDevice.open(context).addCertificate(extra, Bytes.of(new byte[20_000]));
        ReportBlobs blobs = fake.guest().report(request(0));
        assertThat(fake.device().requests()).containsExactly(SevGuestAbi.SNP_GET_EXT_REPORT, SevGuestAbi.SNP_GET_EXT_REPORT);
        assertThat(blobs.auxblob().length()).isGreaterThan(SevGuestAbi.MAX_CERTS).isEqualTo(blobs.auxblob().length() / 4096 * 4096);
        assertThat(CertTable.parse(blobs.auxblob().toArray()).find(extra)).hasValue(Bytes.of(new byte[20_000]));
        assertThat(verify(fake, blobs).result().failures()).isEmpty();
    }

    @Test
    void aVmplBelowTheGuestsIsRefusedByTheFirmware() {
        FakeSevGuestDevice fake = FakeSevGuestDevice.open(context.withSetting("snp.vmpl", "2"));
        assertThatThrownBy(() -> fake.guest().report(request(1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
                    assertThat(e.vendorStatus()).hasValue(0x16);
                })
                .hasMessageContaining("INVALID_PARAM");
        assertThat(AttestationReport.parse(fake.guest().report(request(2)).outblob().toArray()).vmpl()).isEqualTo(2);
    }

    @Test
    void derivedKeysAreTheEmulatorsAndItsRulesHold() {
        FakeSevGuestDevice fake = FakeSevGuestDevice.open(context);
        TcbVersion tcb = new TcbVersion(0);
        byte[] key = fake.guest().derivedKey(1, 0x9, 0, 0, tcb);
        assertThat(key).hasSize(32).isEqualTo(fake.emulator().derivedKey(1, 0x9, 0, 0, tcb));
        assertThatThrownBy(() -> fake.guest().derivedKey(2, 0, 0, 0, tcb))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.vendorStatus()).hasValue(0x16));
    }

    @Test
    void aFailedCloseNeverHidesTheFailedRequest() {
        FakeSevGuestDevice fake = FakeSevGuestDevice.open(context);
        fake.device().failIoctl(SevGuestAbi.SNP_GET_EXT_REPORT, Errno.ENOTTY).failClose(Errno.EIO);
        assertThatThrownBy(() -> fake.guest().report(request(0)))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.errno()).hasValue(Errno.ENOTTY);
                    assertThat(e.getSuppressed()).singleElement()
                            .satisfies(c -> assertThat(c).hasMessage("close " + fake.device().path() + ": " + Errno.explain(Errno.EIO)));
                })
                .hasMessageStartingWith("SNP_GET_EXT_REPORT on " + fake.device().path() + ": ENOTTY")
                .hasMessageContaining("the kernel disabled the VMPCK");
        fake.device().heal().failOpen(Errno.EACCES);
        assertThatThrownBy(() -> fake.guest().report(request(0)))
                .hasMessage("open " + fake.device().path() + ": " + Errno.explain(Errno.EACCES));
        assertThat(fake.device().opened()).isEqualTo(fake.device().closed());
    }
}
