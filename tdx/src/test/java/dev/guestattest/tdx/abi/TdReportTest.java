// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.testing.Vectors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TdReportTest {
    private final byte[] raw = Vectors.read("intel-tdx/guest-components/tdx_report_1.bin");

    @Test
    void realTdReportRoundTripsAndItsHashesVerify() {
        TdReport r = TdReport.parse(raw);
        assertThat(r.toBytes()).isEqualTo(raw);
        assertThat(r.reportMac().reportType().hex()).isEqualTo("81000100");
        assertThat(r.reportMac().teeType()).isEqualTo(0x81);
        assertThat(r.reportMac().version()).isEqualTo(1);
        assertThat(r.teeTcbInfoHashMatches()).isTrue();
        assertThat(r.teeInfoHashMatches()).isTrue();
        assertThat(r.reportMac().reportData().toArray()).isEqualTo(Arrays.copyOfRange(raw, 128, 192));
        assertThat(r.tdInfo().mrTd().toArray()).isEqualTo(Arrays.copyOfRange(raw, 528, 576));
        assertThat(r.tdInfo().rtmrs().get(3).toArray()).isEqualTo(Arrays.copyOfRange(raw, 864, 912));
        assertThat(r.tdInfo().servTdHash().toArray()).isEqualTo(Arrays.copyOfRange(raw, 912, 960));
        assertThat(r.teeTcbInfo().mrSeam().toArray()).isEqualTo(Arrays.copyOfRange(raw, 280, 328));
    }

    @Test
    void anyChangeToTheMeasuredPartsBreaksAHash() {
        for (int off : new int[] {256, 300, 494, 512, 600, 1023}) {
            byte[] b = raw.clone();
            b[off] ^= 1;
            TdReport r = TdReport.parse(b);
            assertThat(r.teeTcbInfoHashMatches() && r.teeInfoHashMatches()).as("flip at %d", off).isFalse();
        }
    }

    @Test
    void onlyExactly1024BytesParse() {
        assertThatThrownBy(() -> TdReport.parse(new byte[1023])).hasMessage("tdreport: 1023 bytes; a TDREPORT is exactly 1024 bytes");
        assertThatThrownBy(() -> TdReport.parse(new byte[1025])).hasMessageStartingWith("tdreport: 1025 bytes");
    }
}
