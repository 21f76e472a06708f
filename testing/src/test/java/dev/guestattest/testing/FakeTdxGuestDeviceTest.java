// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.guest.TdxDevice;
import dev.guestattest.tdx.guest.TdxSelftest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@link TdxDevice} marshalling against a fake /dev/tdx_guest backed by the TDX emulator. */
class FakeTdxGuestDeviceTest {
    @TempDir
    Path tmp;
    private FakeTdxGuestDevice fake;

    @BeforeEach
    void open() {
        fake = FakeTdxGuestDevice.open(ProviderContext.defaults().withStateDir(tmp.resolve("state")).withDeviceDir(tmp.resolve("dev")));
    }

    @AfterEach
    void close() {
        fake.close();
    }

    private static Bytes data(int tag) {
        byte[] d = new byte[64];
        Arrays.fill(d, (byte) tag);
        return Bytes.of(d);
    }

    @Test
    void theRealDeviceGetsTheEmulatedTdsReport() {
        TdReport report = fake.guest().report(data(5));
        assertThat(report.reportMac().reportData()).isEqualTo(data(5));
        assertThat(report.reportMac().teeType()).isEqualTo(TdReport.TEE_TYPE_TDX);
        assertThat(report.teeTcbInfoHashMatches() && report.teeInfoHashMatches()).isTrue();
        assertThat(report.tdInfo().rtmrs()).isEqualTo(fake.emulator().td().rtmrs());
        assertThat(fake.device().requests()).containsExactly(TdxDevice.TDX_CMD_GET_REPORT0);
        assertThat(fake.device().closed()).isEqualTo(1);
    }

    @Test
    void theDeviceIsAProviderBehindTheTsm() {
        TdxDevice device = fake.guest();
        Tsm tsm = new Tsm();
        tsm.register(device);
        try {
            Report r = tsm.report(ReportRequest.of(data(9).toArray()));
            assertThat(r.provider()).isEqualTo("tdx/device");
            assertThat(TdReport.parse(r.outblob().toArray()).reportMac().reportData()).isEqualTo(data(9));
        } finally {
            tsm.unregister(device, Duration.ofSeconds(5));
        }
    }

    @Test
    void theSelftestPassesOnAFakeTdWithConfigfsQuotes() {
        List<TdxSelftest.Step> steps = TdxSelftest.run(fake.linuxGuest(tmp.resolve("tsm/report")), data(1));
        assertThat(steps).hasSize(7).allMatch(TdxSelftest.Step::passed);
    }

    @Test
    void kernelFailuresArriveAsTheDeviceReportsThem() {
        fake.device().failOpen(Errno.ENOENT);
        assertThatThrownBy(() -> fake.guest().report(data(1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("not a TDX guest");
        fake.device().heal().failOpen(Errno.EACCES);
        assertThatThrownBy(() -> fake.guest().report(data(1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED))
                .hasMessage(fake.device().path() + " open: " + Errno.explain(Errno.EACCES));
        fake.device().heal().failIoctl(TdxDevice.TDX_CMD_GET_REPORT0, Errno.EIO).failClose(Errno.EIO);
        assertThatThrownBy(() -> fake.guest().report(data(1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
                    assertThat(e.getSuppressed()).singleElement().satisfies(c -> assertThat(c).hasMessageStartingWith("close "));
                })
                .hasMessage(fake.device().path() + " TDX_CMD_GET_REPORT0: " + Errno.explain(Errno.EIO));
        assertThat(fake.device().opened()).isEqualTo(fake.device().closed());
    }
}
