// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verifying the real go-sev-guest Milan report with its VCEK (chain cached after the first), next to
 * the floor: one Bouncy Castle P-384 verification over the signed region, with its SHA-384.
 */
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 5)
@OutputTimeUnit(TimeUnit.SECONDS)
@BenchmarkMode(Mode.Throughput)
public class SnpVerifyBench {
    @State(Scope.Benchmark)
    public static class Input {
        byte[] report;
        dev.guestattest.core.verify.Evidence evidence;
        SnpCertificates certs;
        SnpVerifier verifier;
        ECPublicKeyParameters vcek;
        byte[] signed;
        BigInteger r;
        BigInteger s;

        @Setup(Level.Trial)
        public void load() throws Exception {
            report = Files.readAllBytes(TdxBench.vectors().resolve("amd-sev-snp/go-sev-guest/attestation.bin"));
            byte[] der = Files.readAllBytes(TdxBench.vectors().resolve("amd-sev-snp/go-sev-guest/vcek.der"));
            certs = SnpCertificates.ofSigner(der);
            evidence = dev.guestattest.core.verify.Evidence.of(dev.guestattest.core.codec.Bytes.of(report),
                    java.util.Map.of("certs", dev.guestattest.core.codec.Bytes.of(der)));
            verifier = SnpVerifier.builder()
                    .clock(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC)).build();
            if (!EVIDENCE_VERIFIER.verify(evidence, Instant.now(), java.util.List.of()).result().trusted()) {
                throw new IllegalStateException("the benchmark report must verify now, as the appraiser calls it");
            }
            if (!verifier.verify(report, certs).trusted()) {
                throw new IllegalStateException("the benchmark report must verify");
            }
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
            vcek = (ECPublicKeyParameters) PublicKeyFactory.createKey(cert.getPublicKey().getEncoded());
            AttestationReport parsed = AttestationReport.parse(report);
            signed = parsed.signedRegion();
            r = parsed.signatureR();
            s = parsed.signatureS();
        }
    }

    @Benchmark
    @Threads(1)
    public SnpVerification verify1(Input in) {
        return in.verifier.verify(in.report, in.certs);
    }

    /** As the appraiser calls it, once per evidence: the roots and the verifier are the evidence verifier's to keep. */
    @Benchmark
    @Threads(1)
    public dev.guestattest.core.verify.VendorVerification evidenceVerifier1(Input in) {
        return EVIDENCE_VERIFIER.verify(in.evidence, Instant.now(), java.util.List.of());
    }

    private static final dev.guestattest.snp.verify.SnpEvidenceVerifier EVIDENCE_VERIFIER = new dev.guestattest.snp.verify.SnpEvidenceVerifier();

    @Benchmark
    @Threads(2)
    public SnpVerification verifyAllCores(Input in) {
        return in.verifier.verify(in.report, in.certs);
    }

    @Benchmark
    @Threads(1)
    public boolean floor1(Input in) throws Exception {
        return floor(in);
    }

    @Benchmark
    @Threads(2)
    public boolean floorAllCores(Input in) throws Exception {
        return floor(in);
    }

    private static boolean floor(Input in) throws Exception {
        ECDSASigner v = new ECDSASigner();
        v.init(false, in.vcek);
        return v.verifySignature(MessageDigest.getInstance("SHA-384").digest(in.signed), in.r, in.s);
    }
}
