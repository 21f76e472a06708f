// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The header policy: every Java source of the repository starts with the SPDX identifier of the
 * project's licence, Apache-2.0, whose text is LICENSE at the root; the build declares it too.
 */
class LicenceHeadersTest {
    static final String HEADER = "// SPDX-License-Identifier: Apache-2.0";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everySourceCarriesTheLicenceIdentifier() throws IOException {
        List<Path> missing;
        try (Stream<Path> files = Files.walk(ROOT)) {
            missing = files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/") && !p.toString().contains("/target/"))
                    .filter(p -> !firstLine(p).equals(HEADER)).toList();
        }
        assertThat(missing).as("sources without '" + HEADER + "' as their first line").isEmpty();
    }

    @Test
    void theLicenceIsApache2AndTheBuildSaysSo() throws IOException {
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
        assertThat(Files.readString(ROOT.resolve("pom.xml"))).contains("<name>Apache-2.0</name>");
    }

    private static String firstLine(Path p) {
        try (Stream<String> lines = Files.lines(p)) {
            return lines.findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
