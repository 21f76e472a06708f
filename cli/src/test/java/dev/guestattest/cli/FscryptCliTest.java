// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.keys.testing.KernelTests;
import dev.guestattest.keys.testing.LoopExt4;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An fscrypt directory keyed by a broker-released secret, on a loop-mounted ext4: encrypt, write,
 * lock (names, contents and the image hold no plaintext), unlock through the broker from a private
 * session (as a boot unit would), and read back from this process, which is in another session:
 * the filesystem, not a keyring, holds the unlocked key.
 */
class FscryptCliTest {
    private static final String SECRET_TEXT = "quarterly numbers nobody outside the guest may read";

    @RegisterExtension
    final CliRun cli = new CliRun();

    @TempDir
    Path tmp;

    private String[] with(List<String> options, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(options);
        return all.toArray(String[]::new);
    }

    @Test
    void aReleasedKeyEncryptsLocksAndUnlocksADirectory() throws Exception {
        byte[] key = new byte[64];
        new java.util.Random(11).nextBytes(key);
        byte[] other = key.clone();
        other[0] ^= 1;
        try (LoopExt4 fs = LoopExt4.create(tmp, 16); LoopbackBroker broker = LoopbackBroker.start(tmp)) {
            broker.put("prod/fs/vault", key).put("prod/fs/other", other).put("prod/fs/short", new byte[32]);
            Path vault = Files.createDirectory(fs.root().resolve("vault"));
            assertThat(cli.run(with(broker.guestOptions(), "fscrypt", "encrypt", vault.toString(), "--secret", "kbs:///prod/fs/vault")))
                    .as(cli.stderr()).isZero();
            assertThat(cli.stdout()).contains("encrypted " + vault).contains("unlocked");
            Files.writeString(vault.resolve("numbers.txt"), SECRET_TEXT);
            Files.createDirectory(vault.resolve("reports"));

            assertThat(cli.run("fscrypt", "lock", vault.toString())).as(cli.stderr()).isZero();
            assertThat(cli.stdout()).contains("locked " + vault);
            try (var names = Files.list(vault)) {
                assertThat(names.map(p -> p.getFileName().toString()).toList()).hasSize(2).doesNotContain("numbers.txt", "reports");
            }
            assertThat(cli.run("fscrypt", "status", vault.toString())).isZero();
            assertThat(cli.stdout()).contains("fscrypt v2").contains("absent (locked)");
            assertThat(cli.run("fscrypt", "status", vault.toString(), "--json")).isZero();
            assertThat(JsonSchemas.valid("fscrypt-status", cli.stdout()).get("key").get("state").asText()).isEqualTo("absent");

            // the wrong released key, and one of the wrong size, are refused by name and unlock nothing
            assertThat(cli.run(with(broker.guestOptions(), "fscrypt", "unlock", vault.toString(), "--secret", "kbs:///prod/fs/other")))
                    .isEqualTo(Main.CHECK_FAILED); // the key fails the directory's key-identifier check
            assertThat(cli.stderr()).contains("not the one that " + vault + " is encrypted with");
            assertThat(cli.run(with(broker.guestOptions(), "fscrypt", "unlock", vault.toString(), "--secret", "kbs:///prod/fs/short")))
                    .isEqualTo(Main.USAGE);
            assertThat(cli.stderr()).contains("exactly 64 bytes");
            assertThat(cli.run("fscrypt", "status", vault.toString())).isZero();
            assertThat(cli.stdout()).contains("absent (locked)");

            List<String> unlock = LoopbackBroker.cliProcess();
            unlock.addAll(List.of(with(broker.guestOptions(), "fscrypt", "unlock", vault.toString(), "--secret", "kbs:///prod/fs/vault")));
            List<String> inPrivateSession = new ArrayList<>(List.of("keyctl", "session", "-"));
            inPrivateSession.addAll(unlock);
            KernelTests.Result r = KernelTests.output(inPrivateSession);
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(Files.readString(vault.resolve("numbers.txt"))).isEqualTo(SECRET_TEXT);
            assertThat(cli.stdout() + cli.stderr() + r.out()).doesNotContain(SECRET_TEXT);

            assertThat(cli.run("fscrypt", "lock", vault.toString())).as(cli.stderr()).isZero();
            fs.unmount();
            byte[] image = Files.readAllBytes(fs.image());
            assertThat(new String(image, StandardCharsets.ISO_8859_1)).doesNotContain(SECRET_TEXT).doesNotContain("numbers.txt")
                    .doesNotContain("reports");
        }
    }
}
