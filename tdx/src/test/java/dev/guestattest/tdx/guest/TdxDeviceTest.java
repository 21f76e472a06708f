// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TdxDeviceTest {
    @Test
    void ioctlNumberIsTheKernels() {
        assertThat(TdxDevice.TDX_CMD_GET_REPORT0).isEqualTo(0xC4405401L);
        assertThat(TdxDevice.REQUEST_SIZE).isEqualTo(1088);
    }

    @Test
    void requestAndResponseMarshalByteForByte() {
        byte[] data = new byte[64];
        Arrays.fill(data, (byte) 0x5a);
        byte[] req = TdxDevice.encodeRequest(Bytes.of(data));
        assertThat(req).hasSize(1088);
        assertThat(Arrays.copyOf(req, 64)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(req, 64, 1088)).containsOnly(0);
        byte[] tdreport = Vectors.read("intel-tdx/guest-components/tdx_report_1.bin");
        System.arraycopy(tdreport, 0, req, 64, 1024);
        assertThat(TdxDevice.decodeResponse(req).toBytes()).isEqualTo(tdreport);
        assertThatThrownBy(() -> TdxDevice.encodeRequest(Bytes.of(new byte[63]))).hasMessage("reportdata: must be exactly 64 bytes, got 63");
    }

    @Test
    void aMissingDeviceIsAClearError(@TempDir Path dev) {
        TdxDevice d = new TdxDevice(dev.resolve("tdx_guest"));
        assertThat(d.present()).isFalse();
        assertThatThrownBy(() -> d.report(Bytes.zeros(64)))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.errno()).hasValue(2);
                }).hasMessageContaining("not a TDX guest");
    }

    @Test
    void aDeviceThatIsNotTdxGuestFailsWithItsErrno() {
        // /dev/null accepts open but not this ioctl: the kernel answers ENOTTY
        assertThatThrownBy(() -> new TdxDevice(Path.of("/dev/null")).report(Bytes.zeros(64)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.errno()).hasValue(25));
    }
}
