// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.abi.AttestationResponse;
import dev.guestattest.s390.abi.UltravisorAttest;
import dev.guestattest.s390.request.AttestationRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@link dev.guestattest.s390.guest.S390Device} marshalling against a fake /dev/uv backed by the emulated ultravisor. */
class FakeUvDeviceTest {
    @TempDir
    Path tmp;

    @Test
    void theMeasurementIsWhatTheRequestOwnerRecomputes() throws Exception {
        FakeUvDevice fake = FakeUvDevice.open(ProviderContext.defaults().withStateDir(tmp.resolve("state")).withDeviceDir(tmp.resolve("dev")));
        Bytes nonce = Bytes.of(new byte[16]);
        AttestationRequest.Sealed sealed = AttestationRequest.create(List.of(fake.ultravisor().hostPublicKey()), Optional.of(nonce),
                new SecureRandom());
        Path arcb = Files.write(tmp.resolve("request.arcb"), sealed.arcb());
        Bytes userData = Bytes.of("guest says hi".getBytes());
        AttestationResponse r = AttestationResponse.fromJson(fake.guest(arcb).report(ReportRequest.builder().inblob(userData).build()).outblob().toArray());
        assertThat(r.userData()).isEqualTo(userData);
        SecureExecutionMeasurement expected = new SecureExecutionMeasurement(fake.ultravisor().image(), r.configUid(), userData, Optional.of(nonce), r.additionalData());
        assertThat(expected.matches(sealed.measurementKey(), r.measurement())).isTrue();
        assertThat(fake.device().requests()).containsExactly(UltravisorAttest.UVIO_IOCTL_ATT);
        assertThat(fake.device().closed()).isEqualTo(1);
    }

    @Test
    void aRequestForAnotherHostIsNotExecutedAndFailuresKeepTheirCause() throws Exception {
        FakeUvDevice fake = FakeUvDevice.open(ProviderContext.defaults().withStateDir(tmp.resolve("state")).withDeviceDir(tmp.resolve("dev")));
        FakeUvDevice other = FakeUvDevice.open(ProviderContext.defaults().withStateDir(tmp.resolve("other")));
        Path arcb = Files.write(tmp.resolve("request.arcb"), AttestationRequest.create(List.of(other.ultravisor().hostPublicKey()),
                Optional.empty(), new SecureRandom()).arcb());
        ReportRequest request = ReportRequest.builder().inblob(new byte[8]).build();
        assertThatThrownBy(() -> fake.guest(arcb).report(request))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.vendorStatus()).hasValue(FakeUvDevice.RC_NOT_EXECUTED))
                .hasMessageStartingWith("Retrieve Attestation Measurement: UV rc 0x0100");
        fake.device().failIoctl(UltravisorAttest.UVIO_IOCTL_ATT, Errno.EACCES).failClose(Errno.EIO);
        assertThatThrownBy(() -> fake.guest(arcb).report(request))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED);
                    assertThat(e.getSuppressed()).hasSize(1);
                })
                .hasMessage("UVIO_IOCTL_ATT on " + fake.device().path() + ": " + Errno.explain(Errno.EACCES));
    }
}
