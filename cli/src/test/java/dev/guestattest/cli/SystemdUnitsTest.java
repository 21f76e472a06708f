// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.testing.KernelTests;
import dev.guestattest.keys.testing.LoopExt4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot-time units of packaging/systemd, run as systemd would run them in their declared
 * keyring mode. There is no systemd here: each Exec line is expanded (%i, %f, ${VAR}, $VAR) and run
 * under {@code keyctl session -}, which gives the private session {@code KeyringMode=private} gives.
 */
class SystemdUnitsTest {
    private static final Path UNITS = Path.of("..", "packaging", "systemd");

    @RegisterExtension
    final CliRun cli = new CliRun();

    @TempDir
    Path tmp;

    /** The unit's {@code key=} line in [Service], expanded for {@code instance} and {@code env}, as a command to run. */
    static List<String> exec(String unit, String key, String instance, Map<String, String> env) throws java.io.IOException {
        List<String> lines = Files.readAllLines(UNITS.resolve(unit));
        assertThat(lines).as(unit + " declares its keyring mode").contains("KeyringMode=private");
        String line = lines.stream().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow().substring(key.length() + 1);
        List<String> words = new ArrayList<>();
        for (String word : line.split("\\s+")) {
            String w = word.replace("%i", instance).replace("%f", "/" + instance.replace('-', '/').replace("\\x2d", "-"));
            Matcher braced = Pattern.compile("\\$\\{(\\w+)}").matcher(w);
            w = braced.replaceAll(m -> Matcher.quoteReplacement(env.get(m.group(1))));
            if (w.matches("\\$\\w+")) {
                String value = env.getOrDefault(w.substring(1), "");
                words.addAll(value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"))); // $VAR splits into words
            } else {
                words.add(w);
            }
        }
        List<String> command = new ArrayList<>(List.of("keyctl", "session", "-"));
        if (words.get(0).equals("/usr/bin/guest-attest")) {
            command.addAll(LoopbackBroker.cliProcess());
            command.addAll(words.subList(1, words.size()));
        } else {
            command.addAll(words);
        }
        return command;
    }

    private static String options(LoopbackBroker broker, String... more) {
        return String.join(" ", List.of("--provider", "tdx/emulated", "--state-dir", broker.state().toString())) + " " + String.join(" ", more);
    }

    @Test
    void theFscryptUnitUnlocksAndLocksItsDirectory() throws Exception {
        KernelTests.require("the systemd unit test", "/usr/bin/keyctl");
        byte[] key = new byte[64];
        new java.util.Random(5).nextBytes(key);
        try (LoopExt4 fs = LoopExt4.create(tmp, 16); LoopbackBroker broker = LoopbackBroker.start(tmp)) {
            broker.put("prod/fscrypt/data", key);
            Path dir = Files.createDirectory(fs.root().resolve("data"));
            List<String> encrypt = new ArrayList<>(List.of("fscrypt", "encrypt", dir.toString(), "--secret", "kbs:///prod/fscrypt/data"));
            encrypt.addAll(broker.guestOptions());
            assertThat(cli.run(encrypt.toArray(String[]::new))).as(cli.stderr()).isZero();
            Files.writeString(dir.resolve("db"), "rows");
            assertThat(cli.run("fscrypt", "lock", dir.toString())).as(cli.stderr()).isZero();

            String instance = dir.toString().substring(1).replace("-", "\\x2d").replace('/', '-'); // systemd-escape -p
            Map<String, String> env = Map.of("GUEST_ATTEST_SECRET", "kbs:///prod/fscrypt/data", "GUEST_ATTEST_BROKER", broker.uri().toString(),
                    "GUEST_ATTEST_OPTIONS", options(broker));
            KernelTests.Result start = KernelTests.output(exec("guest-attest-fscrypt-unlock@.service", "ExecStart", instance, env));
            assertThat(start.exit()).as(start.out()).isZero();
            assertThat(Files.readString(dir.resolve("db"))).isEqualTo("rows"); // read from this test's session, not the unit's
            KernelTests.Result stop = KernelTests.output(exec("guest-attest-fscrypt-unlock@.service", "ExecStop", instance, env));
            assertThat(stop.exit()).as(stop.out()).isZero();
            try (var names = Files.list(dir)) {
                assertThat(names.map(p -> p.getFileName().toString()).toList()).hasSize(1).doesNotContain("db");
            }
        }
    }

    @Test
    void theLogonKeyUnitReleasesIntoUserKeyringWithAnExpiry() throws Exception {
        KernelTests.require("the systemd unit test", "/usr/bin/keyctl");
        String description = "dmcrypt:ga" + ProcessHandle.current().pid();
        try (LoopbackBroker broker = LoopbackBroker.start(tmp)) {
            broker.put("prod/disk/data", "plain dm-crypt key bytes 32 long".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Map<String, String> env = Map.of("GUEST_ATTEST_SECRET", "kbs:///prod/disk/data", "GUEST_ATTEST_BROKER", broker.uri().toString(),
                    "GUEST_ATTEST_OPTIONS", options(broker, "--expire", "600"));
            KernelTests.Result start = KernelTests.output(exec("guest-attest-logon-key@.service", "ExecStart", description, env));
            assertThat(start.exit()).as(start.out()).isZero();
            int serial = KernelKeys.search(KeyringId.USER, "logon", description, 0);
            try {
                String[] proc = KernelTests.procKeys(serial).orElseThrow();
                assertThat(proc[3]).matches("(9|10)m");
                assertThat(proc[4]).isEqualTo("3f010000");
            } finally {
                KernelKeys.unlink(serial, KeyringId.USER);
            }
        }
    }
}
