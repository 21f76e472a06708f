// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import dev.guestattest.core.linux.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real syscall path, exercised on an ordinary directory: bytes round-trip and errnos arrive exact. */
class LibcConfigfsIoTest {
    @TempDir
    Path tmp;
    private final LibcConfigfsIo io = new LibcConfigfsIo();

    @Test
    void makesWritesReadsAndRemoves() throws Exception {
        Path item = tmp.resolve("item");
        io.mkdir(item);
        assertThat(Files.isDirectory(item)).isTrue();
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Files.createFile(item.resolve("outblob"));
        io.write(item.resolve("outblob"), data);
        assertThat(io.read(item.resolve("outblob"), data.length)).isEqualTo(data);
        assertThat(io.exists(item.resolve("outblob"))).isTrue();
        Files.delete(item.resolve("outblob"));
        io.rmdir(item);
        assertThat(io.exists(item)).isFalse();
    }

    @Test
    void errnosArriveExactly() throws Exception {
        assertThatThrownBy(() -> io.read(tmp.resolve("missing"), 10))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        io.mkdir(tmp.resolve("d"));
        assertThatThrownBy(() -> io.mkdir(tmp.resolve("d")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        Files.write(tmp.resolve("big"), new byte[100]);
        assertThatThrownBy(() -> io.read(tmp.resolve("big"), 99))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EFBIG));
        assertThatThrownBy(() -> io.mkdir(tmp.resolve("no/such/parent")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageContaining("ENOENT");
    }
}
