// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.core.linux.Libc;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.upcall.HandlerCommand;
import dev.guestattest.keys.upcall.RequestKeyConf;
import dev.guestattest.keys.upcall.UpcallMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request-key upcall end to end: request_key("user", "guest_attest:0:N", base64(data)) from
 * this JVM until the key holds the emulated TDX quote, with the kernel running /sbin/request-key
 * and the handler JVM in between. Needs root and keyutils; it installs the real
 * /etc/request-key.d/guest_attest.conf for the run (refusing if one is there) and removes it after.
 */
@Fork(1)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
@State(Scope.Thread)
public class UpcallBench {
    private static final Path ROOT = Path.of("/");

    /** With an AppCDS archive recorded by a training run, or a plain JVM start. */
    @Param({"true", "false"})
    public boolean cds;

    private Path state;
    private int ring;
    private final AtomicLong id = new AtomicLong();

    @Setup(Level.Trial)
    public void install() throws IOException {
        if (Files.exists(RequestKeyConf.path(ROOT))) {
            throw new IllegalStateException(RequestKeyConf.path(ROOT) + " exists; uninstall it before benchmarking");
        }
        state = Files.createTempDirectory("guestattest-upcall-bench");
        List<String> options = new ArrayList<>(List.of("--provider", "tdx/emulated", "--state-dir", state.toString(),
                "--handler-log", state.resolve("upcall.log").toString()));
        HandlerCommand handler = HandlerCommand.ofThisJvm(List.of(UpcallMain.class.getName()), options);
        if (cds) {
            handler = handler.train(state.resolve("upcall.jsa"), Duration.ofSeconds(120));
        }
        RequestKeyConf.install(ROOT, handler.words(), Libc.geteuid());
        ring = KernelKeys.addKeyring("guest-attest-bench", KeyringId.THREAD);
    }

    @TearDown(Level.Trial)
    public void uninstall() {
        KernelKeys.invalidate(ring);
        RequestKeyConf.uninstall(ROOT, Libc.geteuid());
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int requestKeyToQuote() {
        int key = KernelKeys.request("user", "guest_attest:0:" + id.incrementAndGet(), Optional.of("bm9uY2U="), ring);
        int length = KernelKeys.read(key, KernelKeys.MAX_USER_PAYLOAD).length;
        KernelKeys.invalidate(key);
        return length;
    }
}
