// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.keys.upcall.RequestKeyConf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * guest-attest doctor over faked guests: a tree with proc, sys (configfs-tsm with an item whose
 * {@code provider} names the driver), dev and etc, as a TD, an SNP guest, a realm or nothing; then
 * once on this machine as it is.
 */
class DoctorCommandTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path tmp;
    @RegisterExtension
    private final CliRun cli = new CliRun();

    /** A guest tree: kernel 6.8, configfs mounted, the named provider in an existing item, the named device files. */
    private final class Tree {
        final Path root = tmp.resolve("root");
        final Path state = tmp.resolve("state");

        Tree(String cpuFlags, Optional<String> provider, String... devices) throws IOException {
            write("proc/sys/kernel/osrelease", "6.8.0-doctor\n");
            write("proc/filesystems", "nodev\tsysfs\nnodev\tconfigfs\n\text4\n");
            write("proc/mounts", "configfs /sys/kernel/config configfs rw,relatime 0 0\n");
            write("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu " + cpuFlags + "\n");
            Files.createDirectories(report());
            if (provider.isPresent()) {
                write("sys/kernel/config/tsm/report/probe/provider", provider.get() + "\n");
                write("sys/kernel/config/tsm/report/probe/generation", "0\n");
            }
            Files.createDirectories(root.resolve("dev"));
            for (String d : devices) {
                write("dev/" + d, "");
            }
            Files.createDirectories(root.resolve("etc"));
            Files.createDirectories(state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }

        Path report() {
            return root.resolve("sys/kernel/config/tsm/report");
        }

        Path write(String relative, String text) throws IOException {
            Path p = root.resolve(relative);
            Files.createDirectories(p.getParent());
            return Files.writeString(p, text);
        }

        int doctor(String... more) {
            List<String> args = new ArrayList<>(List.of("doctor", "--root", root.toString(), "--state-dir", state.toString()));
            args.addAll(Arrays.asList(more));
            return cli.run(args.toArray(String[]::new));
        }
    }

    private Tree td() throws IOException {
        return new Tree("hypervisor tdx_guest", Optional.of("tdx_guest"), "tdx_guest");
    }

    /** The line of one check, e.g. "OK   tdx.device: ...". */
    private String line(String check) {
        return cli.stdout().lines().filter(l -> l.length() > 5 && l.substring(5).startsWith(check + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + check + " line in:\n" + cli.stdout()));
    }

    @Test
    void aFakedTdIsFoundWithItsProviderDeviceAndQuotePath() throws IOException {
        Tree t = td();
        assertThat(t.doctor()).as(cli.stdout() + cli.stderr()).isZero();
        assertThat(line("kernel.version")).startsWith("OK   kernel.version: Linux 6.8.0-doctor");
        assertThat(line("configfs-tsm")).startsWith("OK   configfs-tsm: provider tdx_guest at " + t.report());
        assertThat(line("tee")).startsWith("OK   tee: found tdx (CPU flag tdx_guest, " + t.root.resolve("dev/tdx_guest")
                + ", configfs-tsm provider tdx_guest)");
        assertThat(line("tdx.configfs")).startsWith("OK   tdx.configfs: configfs-tsm is served by tdx_guest");
        assertThat(line("tdx.device")).startsWith("OK   tdx.device: " + t.root.resolve("dev/tdx_guest") + " present");
        assertThat(line("tdx.quote-path")).startsWith("OK   tdx.quote-path: configfs-tsm (provider tdx_guest)")
                .contains("no " + t.root.resolve("etc/tdx-attest.conf") + ": the vsock QGS path (Intel's libtdx_attest) is off; it needs"
                        + " port=4050 (Intel's default)");
        assertThat(line("tdx.measurements")).startsWith("SKIP tdx.measurements: ").contains("need Linux 6.16+");
        assertThat(cli.stdout()).doesNotContain("snp.", "cca.").contains("summary: ").contains("0 fail");
        assertThat(cli.stderr()).isEmpty();
        try (Stream<Path> items = Files.list(t.report())) {
            assertThat(items).extracting(p -> p.getFileName().toString()).containsExactly("probe"); // nothing made, nothing left
        }
    }

    @Test
    void aQgsPortWithoutAVsockDeviceIsNamed() throws IOException {
        Tree t = td();
        t.write("etc/tdx-attest.conf", "# Intel's libtdx_attest\nport=4050\n");
        assertThat(t.doctor()).isZero(); // configfs-tsm still works: a warning
        assertThat(line("tdx.quote-path")).startsWith("WARN tdx.quote-path: ")
                .contains(t.root.resolve("etc/tdx-attest.conf") + " names port 4050 but there is no " + t.root.resolve("dev/vsock"))
                .contains("-> fix: give the TD a vsock device");
        t.write("dev/vsock", "");
        assertThat(t.doctor()).isZero();
        // a test tree's vsock node is no way to the QGS: doctor never connects through this machine's real one for it
        assertThat(line("tdx.quote-path")).startsWith("OK   tdx.quote-path: ").endsWith("names port 4050; vsock not probed ("
                + t.root.resolve("dev") + " is not /dev)");
    }

    @Test
    void aTdWithoutItsDriverIsToldToLoadIt() throws IOException {
        Tree t = new Tree("hypervisor tdx_guest", Optional.empty());
        Files.delete(t.report());
        Files.delete(t.report().getParent());
        assertThat(t.doctor()).isEqualTo(1);
        assertThat(line("tee")).startsWith("OK   tee: found tdx (CPU flag tdx_guest)");
        assertThat(line("configfs-tsm")).startsWith("FAIL configfs-tsm: no " + t.report() + ": configfs is mounted but has no tsm/report");
        assertThat(line("tdx.device")).startsWith("FAIL tdx.device: no " + t.root.resolve("dev/tdx_guest") + ": the tdx_guest driver is not"
                + " loaded -> fix: load the tdx_guest module (modprobe tdx_guest)");
        assertThat(line("tdx.quote-path")).startsWith("FAIL tdx.quote-path: no configfs-tsm path (no provider)");
    }

    @Test
    void aFakedSnpGuestIsFound() throws IOException {
        Tree t = new Tree("hypervisor sev sev_es sev_snp", Optional.of("sev_guest"), "sev-guest");
        assertThat(t.doctor()).as(cli.stdout()).isZero();
        assertThat(line("tee")).startsWith("OK   tee: found snp (CPU flag sev_snp, " + t.root.resolve("dev/sev-guest")
                + ", configfs-tsm provider sev_guest)");
        assertThat(line("snp.configfs")).startsWith("OK   snp.configfs: configfs-tsm is served by sev_guest");
        assertThat(line("snp.device")).startsWith("OK   snp.device: " + t.root.resolve("dev/sev-guest") + " present");
        assertThat(cli.stdout()).doesNotContain("tdx.");
    }

    @Test
    void aFakedRealmIsFoundByItsProviderAlone() throws IOException {
        Tree t = new Tree("", Optional.of("arm_cca_guest"));
        assertThat(t.doctor()).as(cli.stdout()).isZero();
        assertThat(line("tee")).startsWith("OK   tee: found cca (configfs-tsm provider arm_cca_guest)");
        assertThat(line("cca.configfs")).startsWith("OK   cca.configfs: configfs-tsm is served by arm_cca_guest");
    }

    @Test
    void aMachineWithNoTeeFailsSayingSo() throws IOException {
        Tree t = new Tree("hypervisor", Optional.empty());
        assertThat(t.doctor()).isEqualTo(1);
        assertThat(line("tee")).startsWith("FAIL tee: no TEE found: no configfs-tsm provider, no tdx_guest, sev-guest or uv in "
                + t.root.resolve("dev")).contains("-> fix: run inside a confidential VM");
        // a plain directory is no configfs: the item doctor made has no provider, and it is gone again
        assertThat(line("configfs-tsm")).startsWith("WARN configfs-tsm: " + t.report() + " is a plain directory");
        try (Stream<Path> items = Files.list(t.report())) {
            assertThat(items).isEmpty();
        }
        assertThat(line("tpm.resource-manager")).startsWith("SKIP tpm.resource-manager: no TPM");
    }

    @Test
    void askingForATeeThatIsNotHereFailsNamingWhatIs() throws IOException {
        Tree t = td();
        assertThat(t.doctor("--tee", "snp")).isEqualTo(1);
        assertThat(line("tee")).startsWith("FAIL tee: snp not found").contains("found tdx");
        assertThat(line("snp.configfs")).startsWith("FAIL snp.configfs: configfs-tsm is served by tdx_guest, not sev_guest")
                .contains("this guest is tdx, not snp");
        assertThat(cli.stdout()).doesNotContain("tdx.device", "tpm.");
    }

    @Test
    void aStateDirOthersCanReadFails() throws IOException {
        Tree t = td();
        Files.setPosixFilePermissions(t.state, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(t.doctor()).isEqualTo(1);
        assertThat(line("state-dir")).isEqualTo("FAIL state-dir: state dir " + t.state + " is mode 0755; must be 0700 (it holds private"
                + " keys) -> fix: chmod 700 " + t.state);
    }

    @Test
    void aRequestKeyRuleNamingAMissingJarFails() throws IOException {
        Tree t = td();
        Files.setPosixFilePermissions(t.write("sbin/request-key", "#!/bin/sh\n"), PosixFilePermissions.fromString("rwxr-xr-x"));
        t.write("etc/" + "request-key.d/guest_attest.conf", RequestKeyConf.render(List.of(JAVA, "-cp", "/old/path/guest-attest.jar",
                "dev.guestattest.cli.Main", "keys", "upcall")));
        assertThat(t.doctor()).isEqualTo(1);
        assertThat(line("keys.keyutils")).startsWith("OK   keys.keyutils: " + t.root.resolve("sbin/request-key") + " present");
        assertThat(line("keys.request-key-rule")).isEqualTo("FAIL keys.request-key-rule: the request-key rule in "
                + t.root.resolve("etc/request-key.d/guest_attest.conf") + " names /old/path/guest-attest.jar which does not exist"
                + " -> fix: re-run guest-attest keys install (as root) to record the current paths");
    }

    @Test
    void aRuleWithoutKeyutilsCanNeverRun() throws IOException {
        Tree t = td();
        Path jar = Files.writeString(tmp.resolve("guest-attest.jar"), "");
        t.write("etc/request-key.d/guest_attest.conf", RequestKeyConf.render(List.of(JAVA, "-cp", jar.toString(), "dev.guestattest.cli.Main",
                "keys", "upcall")));
        assertThat(t.doctor()).isEqualTo(1);
        assertThat(line("keys.keyutils")).startsWith("FAIL keys.keyutils: no " + t.root.resolve("sbin/request-key"))
                .contains("so the installed rule can never run -> fix: install keyutils");
        assertThat(line("keys.request-key-rule")).startsWith("OK   keys.request-key-rule: ").contains("user guest_attest:*");
    }

    @Test
    void anUnreachableBrokerNamesHostAndPort() throws IOException {
        Tree t = td();
        int port = closedPort();
        assertThat(t.doctor("--broker", "http://127.0.0.1:" + port)).isEqualTo(1);
        assertThat(line("network.broker")).startsWith("FAIL network.broker: cannot reach broker http://127.0.0.1:" + port
                + " (--broker): TCP connect to 127.0.0.1:" + port + " failed: ")
                .contains("-> fix: nothing listens on port " + port + ": start the broker, or correct --broker");
    }

    @Test
    void theBrokerOfTheInstalledSecretRuleIsReachedAndAListeningOneIsOk() throws IOException {
        Tree t = td();
        Path jar = Files.writeString(tmp.resolve("guest-attest.jar"), "");
        int closed = closedPort();
        List<String> attest = List.of(JAVA, "-cp", jar.toString(), "dev.guestattest.cli.Main", "keys", "upcall");
        List<String> secret = List.of(JAVA, "-cp", jar.toString(), "dev.guestattest.cli.Main", "secret", "upcall", "--broker",
                "http://127.0.0.1:" + closed);
        t.write("etc/request-key.d/guest_attest.conf", RequestKeyConf.render(attest, Optional.of(new RequestKeyConf.SecretRule("disk:*",
                secret))));
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int open = listening.getLocalPort();
            assertThat(t.doctor("--broker", "http://127.0.0.1:" + open + "/kbs/v0")).isEqualTo(1);
            List<String> brokers = cli.stdout().lines().filter(l -> l.contains("network.broker:")).toList();
            assertThat(brokers).hasSize(2);
            assertThat(brokers.get(0)).startsWith("OK   network.broker: broker http://127.0.0.1:" + open + "/kbs/v0 (--broker): TCP 127.0.0.1:"
                    + open + " accepts connections");
            assertThat(brokers.get(1)).startsWith("FAIL network.broker: cannot reach broker http://127.0.0.1:" + closed + " ("
                    + t.root.resolve("etc/request-key.d/guest_attest.conf") + "): TCP connect to 127.0.0.1:" + closed);
        }
    }

    @Test
    void badOptionsAreUsageErrors() throws IOException {
        Tree t = td();
        assertThat(t.doctor("--tee", "sgx")).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --tee: 'sgx' is not one of tdx, snp, cca, s390, tpm, cove");
        assertThat(t.doctor("--broker", "ftp://kbs.example")).isEqualTo(2);
        assertThat(cli.stderr()).startsWith("guest-attest: --broker: 'ftp://kbs.example' is not an http:// or https:// URL with a host");
        assertThat(t.doctor("--pcs", "http://")).isEqualTo(2);
        assertThat(cli.stdout()).isEmpty();
    }

    @Test
    void tryQuoteAsksTheProviderAndCleansUp() throws IOException {
        Tree t = td();
        assertThat(t.doctor("--try-quote", "--timeout", "5")).isEqualTo(1);
        // a fake tree is no configfs: the report fails at its first read, naming it, and the item is removed
        assertThat(line("tdx.quote")).startsWith("FAIL tdx.quote: configfs-tsm report failed: configfs-tsm read provider: ENOENT");
        try (Stream<Path> items = Files.list(t.report())) {
            assertThat(items).extracting(p -> p.getFileName().toString()).containsExactly("probe");
        }
    }

    @Test
    void jsonFollowsItsSchema() throws IOException {
        Tree t = td();
        Files.setPosixFilePermissions(t.state, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(t.doctor("--json")).isEqualTo(1);
        JsonNode doc = JsonSchemas.valid("doctor", cli.stdout());
        assertThat(doc.at("/summary/tees").toString()).isEqualTo("[\"tdx\"]");
        assertThat(doc.at("/summary/fail").asInt()).isEqualTo(1);
        JsonNode state = findings(doc).stream().filter(f -> f.get("check").asText().equals("state-dir")).findFirst().orElseThrow();
        assertThat(state.get("status").asText()).isEqualTo("fail");
        assertThat(state.get("fix").asText()).isEqualTo("chmod 700 " + t.state);
        assertThat(findings(doc)).anySatisfy(f -> assertThat(f.get("check").asText() + " " + f.get("status").asText())
                .isEqualTo("tdx.configfs ok"));
    }

    /** Doctor on this machine, faking nothing: it answers, with the kernel first, whatever the machine is. */
    @Test
    void onThisMachine() {
        int exit = cli.run("doctor");
        assertThat(exit).as(cli.stdout() + cli.stderr()).isIn(0, 1);
        assertThat(cli.stdout().lines().findFirst().orElse("")).matches("(OK  |WARN) kernel\\.version: .*");
        assertThat(cli.stdout()).contains(" tee: ", " state-dir: ", "summary: ");
        assertThat(cli.stdout() + cli.stderr()).doesNotContain("Exception", "\tat ", "could not make this check");
        assertThat(cli.run("doctor", "--json")).isEqualTo(exit);
        JsonSchemas.valid("doctor", cli.stdout());
    }

    private static List<JsonNode> findings(JsonNode doc) {
        List<JsonNode> list = new ArrayList<>();
        doc.get("findings").forEach(list::add);
        return list;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
