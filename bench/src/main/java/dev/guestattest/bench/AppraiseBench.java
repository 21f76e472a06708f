// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.cca.verify.CcaEvidenceVerifier;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The appraiser's overhead over the vendor verification it wraps (target below 10%): the same
 * evidence through the vendor verifier alone, and through the appraiser with a policy.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
public class AppraiseBench {
    @State(Scope.Benchmark)
    public static class Input {
        Evidence cca;
        Evidence tdx;
        Instant tdxAt = Instant.parse("2025-07-01T00:00:00Z");
        AppraisalContext ccaContext;
        AppraisalContext tdxContext;
        Appraiser appraiser = new Appraiser(List.of(new CcaEvidenceVerifier(), new TdxEvidenceVerifier()));

        @Setup(Level.Trial)
        public void load() throws Exception {
            var v = TdxBench.vectors();
            cca = Evidence.of(Bytes.of(Files.readAllBytes(v.resolve("arm-cca/rust-ccatoken/cca-token-01.cbor"))),
                    Map.of("cpak", Bytes.of(Files.readAllBytes(v.resolve("arm-cca/rust-ccatoken/cpak.json")))));
            tdx = Evidence.of(Bytes.of(Files.readAllBytes(v.resolve("intel-tdx/dcap-qvl/tdx_quote_v4.bin"))),
                    Map.of("collateral", Bytes.of(Files.readAllBytes(v.resolve("intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json")))));
            Appraisal probe = appraiser.appraise(cca, AppraisalContext.of(policy("cca", ""), Instant.now()));
            ccaContext = AppraisalContext.of(policy("cca", probe.claims().orElseThrow().initialMeasurement().orElseThrow().hex()), Instant.now());
            tdxContext = AppraisalContext.of(policy("tdx", "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7"),
                    tdxAt);
            if (!appraiser.appraise(tdx, tdxContext).affirming()) {
                throw new IllegalStateException("the benchmark quote must affirm");
            }
        }

        static Policy policy(String tee, String measurement) {
            String rv = measurement.isEmpty() ? "" : ", \"reference_values\": {\"initial_measurement\": [\"" + measurement + "\"]}";
            return Policy.parse(("{\"id\": \"bench\", \"tees\": [\"" + tee + "\"], \"allow_debug\": true" + rv + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Benchmark
    public VendorVerification ccaVendorOnly(Input in) {
        return new CcaEvidenceVerifier().verify(in.cca, in.ccaContext.at(), List.of());
    }

    @Benchmark
    public Appraisal ccaAppraise(Input in) {
        return in.appraiser.appraise(in.cca, in.ccaContext);
    }

    @Benchmark
    public VendorVerification tdxVendorOnly(Input in) {
        return new TdxEvidenceVerifier().verify(in.tdx, in.tdxAt, List.of());
    }

    @Benchmark
    public Appraisal tdxAppraise(Input in) {
        return in.appraiser.appraise(in.tdx, in.tdxContext);
    }
}
