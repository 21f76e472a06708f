// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.CollateralDocuments;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.cli.Main;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.linux.Libc;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.upcall.RequestKeyConf;
import dev.guestattest.verify.Appraiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The secret upcall end to end: request_key("logon", "disk:N", "kbs:///bench/disk/key") from this
 * JVM until the key is instantiated, with the kernel running /sbin/request-key and the secret
 * handler JVM attesting (emulated TDX) to a broker on loopback in this JVM. Installed the way users
 * install it, by {@code guest-attest keys install --broker}. Root and keyutils; it installs the real
 * /etc/request-key.d/guest_attest.conf for the run (refusing if one is there) and removes it after.
 */
@Fork(1)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 20)
@State(Scope.Thread)
public class SecretUpcallBench {
    private static final Path ROOT = Path.of("/");

    private Path work;
    private Database db;
    private BrokerServer server;
    private EmulatedServer pcs;

    /** One JSON line per decision would time the console, not the broker. */
    private static final java.util.logging.Logger DECISIONS = dev.guestattest.broker.Broker.decisionsAtWarningOnly();
    private int ring;
    private final AtomicLong id = new AtomicLong();

    @Setup(Level.Trial)
    public void install() throws Exception {
        if (Files.exists(RequestKeyConf.path(ROOT))) {
            throw new IllegalStateException(RequestKeyConf.path(ROOT) + " exists; uninstall it before benchmarking");
        }
        work = Files.createTempDirectory("guestattest-secret-upcall-bench");
        Path state = work.resolve("state");
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        String mrtd;
        try (ProviderSession s = ProviderSession.open(Optional.of("tdx/emulated"), ctx)) {
            mrtd = Bytes.of(Arrays.copyOfRange(s.report(ReportRequest.of(new byte[64])).outblob().toArray(), 48 + 136, 48 + 184)).hex();
        }
        try (var tdx = dev.guestattest.tdx.emulator.TdxEmulatedProvider.open(ctx)) {
            BrokerConfig config = BrokerConfig.DEFAULT.withRoots("tdx", List.of(tdx.platform().rootCertificate())).withAuthRate(1_000_000)
                    .withAppraiseRate(1_000_000);
            db = Database.open(work.resolve("store").toString());
            // the guest sends its quote alone: the broker fetches the collateral from the emulated PCS, as from Intel's
            pcs = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ctx, Duration.ofDays(1)), EmulatedServer.Faults.none(),
                    line -> { });
            Appraiser appraiser = Appraiser.discover().withCollateral(CollateralService.builder()
                    .origins(Origins.none().with(Origins.PCS, pcs.uri())).store(new CollateralDocuments(db)).build());
            Broker broker = new Broker(db, Kek.loadOrCreate(work.resolve("kek")), config, appraiser, Clock.systemUTC());
            broker.setAttestationPolicy(("{\"id\": \"bench\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\""
                    + mrtd + "\"]}}").getBytes(StandardCharsets.UTF_8), "bench");
            broker.putResource("bench/disk/key", "a disk key for the upcall benchmark".getBytes(StandardCharsets.UTF_8), "bench");
            server = BrokerServer.start(broker, "127.0.0.1", 0, "bench-admin-token-xxxxxxxx".getBytes(StandardCharsets.UTF_8), Optional.empty());
        }
        List<String> args = new ArrayList<>(List.of("keys", "install", "--provider", "tdx/emulated", "--state-dir", state.toString(),
                "--broker", server.uri().toString(), "--handler-log", work.resolve("upcall.log").toString(), "--no-cds"));
        // --no-cds: the evidence handler's archive was measured as the secret handler's too, and did not help (1.43 s against 1.32 s)
        if (Main.run(args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("keys install failed");
        }
        ring = KernelKeys.addKeyring("guest-attest-bench", KeyringId.THREAD);
    }

    @TearDown(Level.Trial)
    public void uninstall() throws Exception {
        KernelKeys.invalidate(ring);
        RequestKeyConf.uninstall(ROOT, Libc.geteuid());
        server.close();
        pcs.close();
        db.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int requestKeyToSecret() {
        int key = KernelKeys.request("logon", "disk:bench" + id.incrementAndGet(), Optional.of("kbs:///bench/disk/key"), ring);
        KernelKeys.invalidate(key);
        return key;
    }
}
