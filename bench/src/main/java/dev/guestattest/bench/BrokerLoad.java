// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.broker.store.CollateralDocuments;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load test of the broker on loopback (not JMH: it measures a service under concurrent clients):
 * {@code guests} emulated TDX guests each loop over full releases (auth, attest, resource) until
 * {@code releases} are done or {@code seconds} pass, after a warm-up under the same load (default
 * 120 s); prints releases per second, p50/p99 latency and the CPU each release costs, by role.
 * The guests speak guest-components' dialect (their quote alone, as {@code {cc_eventlog, quote}});
 * the broker fetches the collateral from an emulated PCS once and serves it from its store.
 * The guests share the machine with the broker, so their quote generation counts against it.
 * <pre>java -cp benchmarks.jar dev.guestattest.bench.BrokerLoad [STORE (dir or jdbc:postgresql:...)] [guests] [releases] [seconds] [warm-up seconds]</pre>
 */
public final class BrokerLoad {
    private BrokerLoad() {
    }

    /** One JSON line per decision would time the console, not the broker. */
    private static final java.util.logging.Logger DECISIONS = dev.guestattest.broker.Broker.decisionsAtWarningOnly();

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("broker-load");
        String store = args.length > 0 && !args[0].isEmpty() ? args[0] : work.resolve("store").toString();
        int guests = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int releases = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int warmSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 120;
        // the guests sign their quotes with Bouncy Castle, as a long-running emulation should (see EmulatedQuotingEnclave.Signer)
        ProviderContext ctx = ProviderContext.defaults().withStateDir(work.resolve("tee")).withSetting("tdx.emulator.signer", "bc");
        BrokerConfig config;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            config = BrokerConfig.DEFAULT.withRoots("tdx", List.of(tdx.platform().rootCertificate())).withAuthRate(1_000_000);
        }
        EmulatedServer pcs = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ctx, Duration.ofDays(1)),
                EmulatedServer.Faults.none(), line -> { });
        Database db = Database.open(store);
        Broker broker = new Broker(db, Kek.loadOrCreate(work.resolve("kek")), config, Appraiser.discover().withCollateral(CollateralService.builder()
                .origins(Origins.none().with(Origins.PCS, pcs.uri())).store(new CollateralDocuments(db)).build()), Clock.systemUTC());
        String mrtd;
        try (ProviderSession s = ProviderSession.open(Optional.of("tdx/emulated"), ctx)) {
            Report r = s.report(ReportRequest.of(new byte[64]));
            mrtd = Bytes.of(Arrays.copyOfRange(r.outblob().toArray(), 48 + 136, 48 + 184)).hex();
        }
        broker.setAttestationPolicy(("{\"id\": \"load\", \"tees\": [\"tdx\"], \"allow_debug\": true, \"reference_values\":"
                + " {\"initial_measurement\": [\"" + mrtd + "\"]}}").getBytes(StandardCharsets.UTF_8), "load");
        broker.putResource("load/key/disk", "a disk key for the load test".getBytes(StandardCharsets.UTF_8), "load");
        BrokerServer server = BrokerServer.start(broker, "127.0.0.1", 0, "load-admin-token-xxxxxxxx".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        // each guest keeps its emulated TD open, as a long-running guest agent would
        ThreadLocal<ProviderSession> td = ThreadLocal.withInitial(() -> ProviderSession.open(Optional.of("tdx/emulated"), ctx));
        KbsClient.Attester attester = rd -> new Evidence(Optional.empty(), td.get().report(ReportRequest.of(rd.toArray())).outblob(), Map.of());
        KbsClient client = new KbsClient(server.uri(), Duration.ofSeconds(30));
        // warm up under the same load until the JIT has settled: a release runs through so much code
        // (Jetty, H2, Jackson, nimbus, Bouncy Castle, the verifier) that C2 still compiles a minute in
        // (measured: 0.85 ms of JIT CPU per release after 20 s, 0.08 ms after 120 s), a start-up cost
        // that a running broker no longer pays
        Runnable release = () -> client.get("tdx", attester, "load/key/disk").destroy();
        Phase warm = Phase.run(guests, Integer.MAX_VALUE, warmSeconds, release);
        System.out.printf("warm-up: %d releases in %.0f s = %.0f releases/s (JIT %.2f ms CPU per release)%n", warm.latencies().size(),
                warm.seconds(), warm.latencies().size() / warm.seconds(), warm.cpu("JIT") / 1e6 / Math.max(1, warm.latencies().size()));
        Phase p = Phase.run(guests, releases, seconds, release);
        List<Long> sorted = p.latencies();
        int n = Math.max(1, sorted.size());
        System.out.printf("store %s, %d guests: %d releases in %.1f s = %.0f releases/s; p50 %.1f ms, p99 %.1f ms; %d failed%n",
                db.dialect(), guests, sorted.size(), p.seconds(), sorted.size() / p.seconds(), pct(sorted, 0.50), pct(sorted, 0.99), p.failed());
        double perRelease = p.processCpuNanos() / 1e6 / n;
        double brokerMs = p.cpu("broker") / 1e6 / n;
        double guestsMs = p.cpu("guests") / 1e6 / n;
        double jitMs = p.cpu("JIT") / 1e6 / n;
        double gcMs = p.cpu("GC") / 1e6 / n;
        System.out.printf("CPU per release: %.2f ms in all (broker threads %.2f, guests %.2f, JIT %.2f, GC %.2f, the rest %.2f) = %.0f releases/s"
                + " on %d cores%n", perRelease, brokerMs, guestsMs, jitMs, gcMs, perRelease - brokerMs - guestsMs - jitMs - gcMs,
                1000 * Runtime.getRuntime().availableProcessors() / perRelease, Runtime.getRuntime().availableProcessors());
        System.out.printf("broker threads (Jetty pool, store writer): %.2f ms CPU per release = %.0f releases/s per core if the guests ran elsewhere%n",
                brokerMs, 1000 / brokerMs);
        server.close();
        pcs.close();
        db.close();
    }

    /** One run of {@code guests} concurrent guests: latencies, failures, and CPU by role. */
    private record Phase(List<Long> latencies, int failed, double seconds, long processCpuNanos, Map<String, Long> cpuByRole) {
        long cpu(String role) {
            return cpuByRole.getOrDefault(role, 0L);
        }

        static Phase run(int guests, int releases, int seconds, Runnable release) throws InterruptedException {
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            java.util.concurrent.atomic.AtomicLong guestThreadsCpu = new java.util.concurrent.atomic.AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService pool = Executors.newFixedThreadPool(guests);
            Map<String, Long> cpu0 = cpuNanosByRole();
            cpu0.putAll(jvmThreadsCpuNanos());
            long process0 = processCpuNow();
            long t0 = System.nanoTime();
            for (int g = 0; g < guests; g++) {
                pool.submit(() -> {
                    long own0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    while (started.getAndIncrement() < releases && System.nanoTime() < deadline) {
                        long s = System.nanoTime();
                        try {
                            release.run();
                            latencies.add(System.nanoTime() - s);
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                    // the pool's threads end before the totals are read: each guest thread adds its own
                    guestThreadsCpu.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - own0);
                });
            }
            pool.shutdown();
            pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> cpu = cpuNanosByRole();
            cpu.putAll(jvmThreadsCpuNanos());
            cpu0.forEach((role, before) -> cpu.merge(role, -before, Long::sum));
            cpu.merge("guests", guestThreadsCpu.get(), Long::sum);
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            return new Phase(sorted, failed.get(), elapsed, processCpuNow() - process0, cpu);
        }
    }

    /**
     * CPU time of the live threads by role: the broker's own (Jetty's pool is named "broker", the
     * store's writer "broker-store-writer") and the guests' helpers (the emulated QE's threads, the
     * HTTP client's); the guests' own pool threads report themselves as they end.
     */
    private static Map<String, Long> cpuNanosByRole() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> sums = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            String name = t.getThreadName();
            String role = name.startsWith("broker") ? "broker"
                    : name.startsWith("tdx") || name.startsWith("HttpClient") ? "guests" : "other";
            sums.merge(role, Math.max(0, mx.getThreadCpuTime(t.getThreadId())), Long::sum);
        }
        return sums;
    }

    /**
     * CPU time of the JVM's own threads, which the management API does not list: the JIT's
     * ("C1 CompilerThre", "C2 CompilerThre") and the collector's ("GC Thread#n", "G1 ..."), read from
     * /proc/self/task (Linux; empty elsewhere). Clock ticks, so 10 ms resolution.
     */
    private static Map<String, Long> jvmThreadsCpuNanos() {
        Map<String, Long> sums = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String comm;
                String[] stat;
                try {
                    comm = Files.readString(t.resolve("comm")).trim();
                    String line = Files.readString(t.resolve("stat"));
                    stat = line.substring(line.lastIndexOf(')') + 2).split(" ");
                } catch (java.io.IOException gone) {
                    continue;
                }
                String role = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "JIT"
                        : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "GC" : null;
                if (role != null) {
                    // fields 14 and 15 of stat (utime, stime), counted after the command's closing parenthesis
                    long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
                    sums.merge(role, ticks * 10_000_000L, Long::sum);
                }
            }
        } catch (java.io.IOException | RuntimeException notLinux) {
            return Map.of();
        }
        return sums;
    }

    private static long processCpuNow() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size()))) / 1e6;
    }
}
