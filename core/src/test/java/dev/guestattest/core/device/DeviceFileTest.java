// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceFileTest {
    private static final Path DEV = Path.of("/dev/fake0");

    /** A one-handle fake: each of open, ioctl and close either fails with its errno or succeeds. */
    private static final class Fake implements CharDevice {
        OptionalInt openErrno = OptionalInt.empty();
        OptionalInt ioctlErrno = OptionalInt.empty();
        OptionalInt closeErrno = OptionalInt.empty();
        final List<String> calls = new ArrayList<>();

        @Override
        public Handle open(Path path) {
            calls.add("open " + path);
            if (openErrno.isPresent()) {
                throw new SyscallException("open " + path, openErrno.getAsInt());
            }
            return new Handle() {
                @Override
                public int ioctl(long request, Memory arg) {
                    calls.add("ioctl " + request);
                    if (ioctlErrno.isPresent()) {
                        throw new SyscallException("ioctl " + request, ioctlErrno.getAsInt());
                    }
                    arg.setByte(0, (byte) 7);
                    return 0;
                }

                @Override
                public void close() {
                    calls.add("close");
                    if (closeErrno.isPresent()) {
                        throw new SyscallException("close " + path, closeErrno.getAsInt());
                    }
                }
            };
        }
    }

    private static byte[] ioctl(DeviceFile file) {
        return file.exchange(h -> {
            try {
                return h.ioctl(1, new byte[4]);
            } catch (SyscallException e) {
                throw file.failure("REQUEST on " + file.path(), e.errno());
            }
        });
    }

    @Test
    void aFailedCloseNeverHidesTheFailedIoctl() {
        Fake fake = new Fake();
        fake.ioctlErrno = OptionalInt.of(Errno.EIO);
        fake.closeErrno = OptionalInt.of(Errno.EBUSY);
        DeviceFile file = new DeviceFile(fake, DEV);
        assertThatThrownBy(() -> ioctl(file))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
                    assertThat(e.errno()).hasValue(Errno.EIO);
                    assertThat(e.getSuppressed()).singleElement().isInstanceOfSatisfying(AttestationException.class, c -> {
                        assertThat(c.errno()).hasValue(Errno.EBUSY);
                        assertThat(c.getMessage()).isEqualTo("close /dev/fake0: " + Errno.explain(Errno.EBUSY));
                    });
                })
                .hasMessage("REQUEST on /dev/fake0: " + Errno.explain(Errno.EIO));
        assertThat(fake.calls).containsExactly("open /dev/fake0", "ioctl 1", "close");
    }

    @Test
    void aFailedCloseAloneIsTheFailure() {
        Fake fake = new Fake();
        fake.closeErrno = OptionalInt.of(Errno.EIO);
        assertThatThrownBy(() -> ioctl(new DeviceFile(fake, DEV)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.errno()).hasValue(Errno.EIO))
                .hasMessageStartingWith("close /dev/fake0: EIO");
    }

    @Test
    void aSuccessfulExchangeClosesOnceAndReturnsTheKernelsBytes() {
        Fake fake = new Fake();
        assertThat(ioctl(new DeviceFile(fake, DEV))).containsExactly(7, 0, 0, 0);
        assertThat(fake.calls).containsExactly("open /dev/fake0", "ioctl 1", "close");
    }

    @Test
    void anUnmappedSyscallFailureStillBecomesAnAttestationException() {
        Fake fake = new Fake();
        fake.ioctlErrno = OptionalInt.of(Errno.EACCES);
        fake.closeErrno = OptionalInt.of(Errno.EIO);
        assertThatThrownBy(() -> new DeviceFile(fake, DEV).exchange(h -> h.ioctl(9, new byte[1])))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED);
                    assertThat(e.getSuppressed()).hasSize(1);
                })
                .hasMessageStartingWith("ioctl 9: EACCES");
    }

    @Test
    void anOpenFailureIsNamedAndNothingIsClosed() {
        Fake fake = new Fake();
        fake.openErrno = OptionalInt.of(Errno.EACCES);
        assertThatThrownBy(() -> ioctl(new DeviceFile(fake, DEV)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED))
                .hasMessage("open /dev/fake0: " + Errno.explain(Errno.EACCES));
        assertThat(fake.calls).containsExactly("open /dev/fake0");
    }

    @Test
    void anAbsentDeviceIsExplainedWhenTheDeviceSaysWhatThatMeans() {
        Fake fake = new Fake();
        fake.openErrno = OptionalInt.of(Errno.ENOENT);
        assertThatThrownBy(() -> ioctl(new DeviceFile(fake, DEV, "not a fake guest")))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.errno()).hasValue(Errno.ENOENT);
                })
                .hasMessage("device /dev/fake0 not found: not a fake guest");
        fake.openErrno = OptionalInt.of(Errno.ENXIO);
        assertThatThrownBy(() -> ioctl(new DeviceFile(fake, DEV)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER));
    }

    @Test
    void theRealDeviceReportsTheKernelsErrnos(@TempDir Path tmp) throws Exception {
        DeviceFile missing = new DeviceFile(CharDevice.linux(), tmp.resolve("absent"));
        assertThat(missing.present()).isFalse();
        assertThatThrownBy(() -> ioctl(missing))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.errno()).hasValue(Errno.ENOENT));
        // /dev/null opens but knows no ioctl: the kernel answers ENOTTY, and close succeeds
        assertThatThrownBy(() -> ioctl(new DeviceFile(CharDevice.linux(), Path.of("/dev/null"))))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.errno()).hasValue(Errno.ENOTTY);
                    assertThat(e.getSuppressed()).isEmpty();
                });
        Files.createFile(tmp.resolve("node"));
        assertThat(DeviceFile.presence(tmp.resolve("node"), "why").detail()).isEqualTo(tmp.resolve("node") + " present, readable and writable");
        assertThat(DeviceFile.presence(tmp.resolve("absent"), "not here").detail()).isEqualTo(tmp.resolve("absent") + " not found (not here)");
        assertThat(DeviceFile.presence(tmp.resolve("absent")).available()).isFalse();
    }
}
