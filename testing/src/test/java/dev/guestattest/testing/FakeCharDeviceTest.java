// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.device.CharDevice;
import dev.guestattest.core.device.SyscallException;
import dev.guestattest.core.linux.Errno;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FakeCharDeviceTest {
    private final FakeCharDevice fake = new FakeCharDevice(Path.of("/dev/fake0")).on(7, arg -> {
        arg.setByte(0, (byte) (arg.getByte(0) + 1));
        return 0;
    });

    @Test
    void answersItsIoctlsAndCountsHandles() {
        try (CharDevice.Handle h = fake.open(Path.of("/dev/fake0"))) {
            assertThat(h.ioctl(7, new byte[] {41})).containsExactly(42);
        }
        assertThat(fake.requests()).containsExactly(7L);
        assertThat(fake.opened()).isEqualTo(1).isEqualTo(fake.closed());
    }

    @Test
    void answersAsTheKernelDoesToWhatItDoesNotKnow() {
        assertThatThrownBy(() -> fake.open(Path.of("/dev/other")))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        try (CharDevice.Handle h = fake.open(fake.path())) {
            assertThatThrownBy(() -> h.ioctl(8, new byte[1]))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY));
        }
    }

    @Test
    void failsEachCallOnRequestAndHeals() {
        fake.failOpen(Errno.EACCES);
        assertThatThrownBy(() -> fake.open(fake.path())).hasMessageStartingWith("open /dev/fake0: EACCES");
        fake.heal().failIoctl(7, Errno.EIO).failClose(Errno.EBUSY);
        CharDevice.Handle h = fake.open(fake.path());
        assertThatThrownBy(() -> h.ioctl(7, new byte[1])).hasMessageStartingWith("ioctl 0x7 on /dev/fake0: EIO");
        assertThatThrownBy(h::close).hasMessageStartingWith("close /dev/fake0: EBUSY");
        assertThat(fake.closed()).isEqualTo(1);
        assertThatThrownBy(h::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed twice");
        fake.heal();
        try (CharDevice.Handle again = fake.open(fake.path())) {
            assertThat(again.ioctl(7, new byte[] {1})).containsExactly(2);
        }
    }
}
