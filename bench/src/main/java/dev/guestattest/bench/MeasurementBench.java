// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.MeasurementLog;
import dev.guestattest.core.eventlog.Replay;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.tpm.TpmProvider;
import dev.guestattest.tpm.client.TpmTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

/** Logged extends (fsync included), replaying a 10,000-event log, and a TPM quote round trip against swtpm. */
@Fork(1)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
public class MeasurementBench {
    /** One SHA-384 register in memory, so the log and its fsync are what is measured. */
    static final class SoftRegister implements MeasurementRegisters {
        private byte[] value = new byte[48];

        @Override
        public List<MeasurementRegister> registers() {
            return List.of(MeasurementRegister.runtime("rtmr3", HashAlgorithm.SHA384));
        }

        @Override
        public synchronized Bytes read(String name) {
            return Bytes.of(value);
        }

        @Override
        public synchronized Bytes extend(String name, Bytes digest) {
            value = HashAlgorithm.SHA384.extend(value, digest.toArray());
            return Bytes.of(value);
        }
    }

    @State(Scope.Benchmark)
    public static class Log {
        Path dir;
        MeasurementLog log;
        List<Event> tenThousand;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("guestattest-mr-bench");
            log = new MeasurementLog(dir.resolve("bench.cel"), new SoftRegister(), Event.IndexKind.CC_MR);
            tenThousand = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                byte[] d = HashAlgorithm.SHA384.hash(Integer.toString(i).getBytes());
                tenThousand.add(new Event(i, Event.IndexKind.CC_MR, 1 + i % 4, 0xA7, List.of(new Event.Digest(HashAlgorithm.SHA384,
                        Bytes.of(d))), Bytes.EMPTY));
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            Files.deleteIfExists(dir.resolve("bench.cel"));
            Files.deleteIfExists(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Bytes extendWithLoggedEvent(Log l) {
        return l.log.extend("rtmr3", 4, "bench", Bytes.EMPTY);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Map<Integer, Bytes> replay10000Events(Log l) {
        return Replay.replay(l.tenThousand, HashAlgorithm.SHA384, Map.of());
    }

    @State(Scope.Benchmark)
    public static class Swtpm {
        Process swtpm;
        Path dir;
        TpmProvider tpm;

        @Setup(Level.Trial)
        public void start() throws Exception {
            dir = Files.createTempDirectory("guestattest-swtpm-bench");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            int ctrl;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                ctrl = s.getLocalPort();
            }
            swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2", "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1", "--ctrl",
                    "type=tcp,port=" + ctrl + ",bindaddr=127.0.0.1", "--tpmstate", "dir=" + dir, "--flags", "not-need-init,startup-clear")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
            Thread.sleep(300);
            int p = port;
            tpm = new TpmProvider("tpm/swtpm", true, () -> TpmTransport.tcp("127.0.0.1", p, Duration.ofSeconds(10)),
                    TpmProvider.parsePcrs("0-7"));
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            swtpm.destroy();
            swtpm.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public ReportBlobs tpmQuoteRoundTrip(Swtpm s) {
        return s.tpm.report(ReportRequest.of(new byte[64]));
    }
}
