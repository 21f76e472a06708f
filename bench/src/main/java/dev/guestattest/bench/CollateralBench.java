// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

/**
 * A TDX appraisal with its collateral from the collateral service against one whose guest sent
 * the collateral along (the cost before the service): warm, and cold (a new service that has to
 * fetch the four items of the platform from the emulated PCS over loopback HTTP and check them).
 */
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@BenchmarkMode(Mode.AverageTime)
public class CollateralBench {
    @State(Scope.Benchmark)
    public static class Input {
        Path state;
        EmulatedServer pcs;
        Evidence quoteAlone;
        Evidence quoteWithCollateral;
        AppraisalContext context;
        Appraiser warm;
        Appraiser offline = Appraiser.discover();

        @Setup(Level.Trial)
        public void start() throws Exception {
            state = Files.createTempDirectory("collateral-bench");
            ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
            pcs = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ctx, Duration.ofDays(1)), EmulatedServer.Faults.none(),
                    line -> { });
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
                byte[] quote = tdx.report(ReportRequest.of(new byte[64])).outblob().toArray();
                quoteAlone = Evidence.of(Bytes.of(quote), Map.of());
                quoteWithCollateral = Evidence.of(Bytes.of(quote), Map.of("collateral", Bytes.of(EmulatedCollateral.issue(tdx.platform(),
                        Instant.now(), Duration.ofDays(1), false, ctx.random()).toDcapQvlJson())));
                context = AppraisalContext.of(Policy.parse("{\"id\": \"b\", \"tees\": [\"tdx\"], \"allow_debug\": true}"
                        .getBytes(StandardCharsets.UTF_8)), Instant.now()).withRoots(List.of(tdx.platform().rootCertificate()));
            }
            warm = Appraiser.discover().withCollateral(service());
            for (Appraisal a : List.of(warm.appraise(quoteAlone, now()), offline.appraise(quoteWithCollateral, now()), cold())) {
                if (a.failures().stream().anyMatch(c -> !c.name().startsWith("policy."))) {
                    throw new IllegalStateException("the benchmark quote must verify: " + a.failures());
                }
            }
        }

        CollateralService service() {
            return CollateralService.builder().origins(Origins.none().with(Origins.PCS, pcs.uri())).build();
        }

        /** "Now" for each call: a verifier judging at another instant would be built afresh and measure that instead. */
        AppraisalContext now() {
            return new AppraisalContext(context.policy(), context.expectedReportData(), Instant.now(), context.roots(), context.store(),
                    context.challenge(), context.initData());
        }

        Appraisal cold() {
            return offline.withCollateral(service()).appraise(quoteAlone, now());
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            pcs.close();
            try (var files = Files.walk(state)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public Appraisal warmFromService(Input in) {
        return in.warm.appraise(in.quoteAlone, in.now());
    }

    @Benchmark
    public Appraisal warmSentByGuest(Input in) {
        return in.offline.appraise(in.quoteWithCollateral, in.now());
    }

    @Benchmark
    public Appraisal coldFirstSightOfPlatform(Input in) {
        return in.cold();
    }
}
