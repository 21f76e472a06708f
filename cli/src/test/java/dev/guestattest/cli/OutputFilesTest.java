// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.state.Umask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret outputs (secret get --out, --admin-token-file, s390 --secret, keystores) through OutputFiles. */
class OutputFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aSecretOutputIsOwnerOnlyEvenUnderUmask000AndOverAWorldReadableFile() throws Exception {
        Path out = Files.writeString(tmp.resolve("disk.key"), "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        Umask.with(0, () -> {
            OutputFiles.write("--out", out, "the secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
            return null;
        });
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(Files.readString(out)).isEqualTo("the secret");
        try (var s = Files.list(tmp)) {
            assertThat(s).containsExactly(out); // no temporary file left
        }
    }

    /** A link at the output's name is replaced, never written through. */
    @Test
    void aLinkAtTheTargetIsReplacedNotFollowed() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "untouched");
        Path out = Files.createSymbolicLink(tmp.resolve("token"), victim);
        OutputFiles.write("--admin-token-file", out, "token".getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
        assertThat(Files.readString(victim)).isEqualTo("untouched");
        assertThat(Files.isSymbolicLink(out)).isFalse();
        assertThat(Files.readString(out)).isEqualTo("token");
    }
}
