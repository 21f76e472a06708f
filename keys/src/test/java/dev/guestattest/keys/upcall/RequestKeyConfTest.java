// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestKeyConfTest {
    private static final List<String> HANDLER = List.of("/usr/bin/java", "-cp", "/opt/ga/guest-attest.jar",
            "dev.guestattest.cli.Main", "keys", "upcall", "--provider", "tdx/emulated");

    @TempDir
    Path root;

    @Test
    void theFileIsTheMarkerAndOneRequestKeyLine() {
        assertThat(RequestKeyConf.render(HANDLER)).isEqualTo(RequestKeyConf.MARKER + "\n"
                + "create user guest_attest:* * /usr/bin/java -cp /opt/ga/guest-attest.jar dev.guestattest.cli.Main keys upcall"
                + " --provider tdx/emulated %o %k %c %S %u\n");
    }

    @Test
    void installIsIdempotentAndRewritesOnlyWhenTheHandlerChanges() throws Exception {
        Path file = RequestKeyConf.path(root);
        assertThat(file).isEqualTo(root.resolve("etc/request-key.d/guest_attest.conf"));
        assertThat(RequestKeyConf.install(root, HANDLER, 1000)).isEqualTo(RequestKeyConf.Change.WRITTEN);
        assertThat(Files.readString(file)).isEqualTo(RequestKeyConf.render(HANDLER));
        assertThat(RequestKeyConf.install(root, HANDLER, 1000)).isEqualTo(RequestKeyConf.Change.UNCHANGED);
        List<String> other = List.of("/usr/bin/java", "-jar", "/opt/ga/other.jar");
        assertThat(RequestKeyConf.install(root, other, 1000)).isEqualTo(RequestKeyConf.Change.WRITTEN);
        assertThat(Files.readString(file)).isEqualTo(RequestKeyConf.render(other));
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("guest_attest.conf"); // no temp file left
        }
        assertThat(RequestKeyConf.uninstall(root, 1000)).isEqualTo(RequestKeyConf.Change.REMOVED);
        assertThat(file).doesNotExist();
        assertThat(file.getParent()).isDirectory();
        assertThat(RequestKeyConf.uninstall(root, 1000)).isEqualTo(RequestKeyConf.Change.ABSENT);
    }

    @Test
    void aFileGuestAttestDidNotWriteIsNeitherOverwrittenNorRemoved() throws Exception {
        Path file = RequestKeyConf.path(root);
        Files.createDirectories(file.getParent());
        String theirs = "create user guest_attest:* * /usr/local/bin/their-handler %k\n";
        Files.writeString(file, theirs);
        assertThatThrownBy(() -> RequestKeyConf.install(root, HANDLER, 0))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED))
                .hasMessageContaining("refusing to overwrite " + file).hasMessageContaining("did not write it");
        assertThatThrownBy(() -> RequestKeyConf.uninstall(root, 0)).hasMessageContaining("refusing to remove " + file);
        assertThat(Files.readString(file)).isEqualTo(theirs);
    }

    @Test
    void onlyRootMayChangeTheRealTreeAndNothingIsWrittenOtherwise() {
        assertThatThrownBy(() -> RequestKeyConf.install(Path.of("/"), HANDLER, 1000))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PERMISSION_DENIED))
                .hasMessageContaining("only root may do").hasMessageContaining("--root DIR");
        assertThatThrownBy(() -> RequestKeyConf.uninstall(Path.of("/"), 1000)).hasMessageContaining("only root may do");
        assertThatThrownBy(() -> RequestKeyConf.preflight(Path.of("/"), 1000)).hasMessageContaining("only root may do");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"/opt/my dir/ga.jar", "/opt/100%/ga.jar", "/opt/\"q\"/ga.jar", "/opt/#/ga.jar", ""})
    void wordsRequestKeyCannotCarryAreRefused(String word) {
        assertThatThrownBy(() -> RequestKeyConf.render(List.of("/usr/bin/java", "-jar", word)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith("handler command: ");
    }

    @Test
    void theProgramMustBeAbsoluteAndTheLineBounded() {
        assertThatThrownBy(() -> RequestKeyConf.render(List.of("java", "-jar", "x.jar"))).hasMessageContaining("must be an absolute path");
        assertThatThrownBy(() -> RequestKeyConf.render(List.of())).hasMessage("handler command: is empty");
        List<String> many = new java.util.ArrayList<>(List.of("/bin/x"));
        for (int i = 0; i < 60; i++) {
            many.add("a" + i);
        }
        assertThatThrownBy(() -> RequestKeyConf.render(many)).hasMessage("handler command: 61 words exceed the limit of 59");
    }
}
