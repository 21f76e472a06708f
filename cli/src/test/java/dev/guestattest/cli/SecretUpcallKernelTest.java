package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.linux.Libc;
import dev.guestattest.keys.upcall.RequestKeyConf;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's storage-key case on the running kernel: {@code keyctl request2 logon disk:NAME
 * kbs:///...} makes the kernel run GuestAttest's secret handler, which attests (emulated TDX) to a
 * broker on loopback and instantiates the logon key with the released secret. Root and keyutils;
 * with GUEST_ATTEST_KERNEL_TESTS=required (CI) a missing prerequisite fails instead of skipping.
 */
class SecretUpcallKernelTest {
    @TempDir
    Path tmp;

    @Test
    void aLogonKeyRequestedByNameIsFilledByTheBroker() throws Exception {
        boolean required = "required".equals(System.getenv("GUEST_ATTEST_KERNEL_TESTS"));
        String missing = Libc.geteuid() != 0 ? "root" : !Files.isExecutable(Path.of("/sbin/request-key")) ? "keyutils" : null;
        if (missing != null && required) {
            throw new AssertionError("the secret upcall test needs " + missing);
        }
        assumeTrue(missing == null, () -> "the secret upcall test needs " + missing);
        assumeTrue(!Files.exists(RequestKeyConf.path(Path.of("/"))), "a guest_attest.conf is installed here already; not touching it");
        Path state = tmp.resolve("state");
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        BrokerConfig config = EmulatorTrust.apply(ctx, BrokerConfig.DEFAULT);
        String mrtd;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            mrtd = dev.guestattest.tdx.abi.Quote.parse(tdx.report(dev.guestattest.core.ReportRequest.of(new byte[64])).outblob().toArray())
                    .body().mrTd().hex();
        }
        CliRun cli = new CliRun();
        try (Database db = Database.open(tmp.resolve("store").toString())) {
            Broker broker = new Broker(db, Kek.loadOrCreate(tmp.resolve("kek")), config, Appraiser.discover(), Clock.systemUTC());
            broker.setAttestationPolicy(("{\"id\": \"disk\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + mrtd
                    + "\"]}}").getBytes(StandardCharsets.UTF_8), "test");
            broker.putResource("prod/disk/root", "luks passphrase".getBytes(StandardCharsets.UTF_8), "test");
            try (BrokerServer server = BrokerServer.start(broker, "127.0.0.1", 0, "admin-token-for-this-test".getBytes(StandardCharsets.UTF_8),
                    Optional.empty())) {
                cli.capture();
                try {
                    assertThat(cli.run("keys", "install", "--provider", "tdx/emulated", "--state-dir", state.toString(), "--broker",
                            server.uri().toString(), "--no-cds", "--handler-log", tmp.resolve("upcall.log").toString())).as(cli.stderr()).isZero();
                } finally {
                    cli.restore();
                }
                try {
                    String name = "disk:ga" + ProcessHandle.current().pid();
                    Process p = new ProcessBuilder("keyctl", "session", "-", "sh", "-c",
                            "id=$(keyctl request2 logon " + name + " kbs:///prod/disk/root @s) && keyctl describe $id && "
                                    + "(keyctl print $id || echo not-readable) && (keyctl request2 logon " + name + "x kbs:///prod/disk/absent @s"
                                    + " || echo refused)").redirectErrorStream(true).start();
                    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    String log0 = (Files.exists(tmp.resolve("upcall.log")) ? Files.readString(tmp.resolve("upcall.log")) : "(no handler log)")
                            + "\n" + Files.readString(RequestKeyConf.path(Path.of("/")));
                    assertThat(out).as(log0).contains("logon: " + name).contains("not-readable").contains("refused").doesNotContain("luks passphrase");
                    String log = Files.readString(tmp.resolve("upcall.log"));
                    assertThat(log).contains("(" + name + "): instantiated with prod/disk/root").contains("errno 126")
                            .doesNotContain("luks passphrase");
                } finally {
                    RequestKeyConf.uninstall(Path.of("/"), Libc.geteuid());
                }
            }
        }
    }
}
