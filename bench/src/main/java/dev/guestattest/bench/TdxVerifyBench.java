// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.tdx.abi.QeReportCertificationData;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
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
 * Full verification of the real dcap-qvl v4 quote with its collateral in memory, next to the floor
 * a warm verification cannot go below: the two ECDSA P-256 verifications (QE report by the PCK
 * key, quote by the attestation key) and the hashes, done directly with Bouncy Castle.
 */
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@OutputTimeUnit(TimeUnit.SECONDS)
@BenchmarkMode(Mode.Throughput)
public class TdxVerifyBench {
    @State(Scope.Benchmark)
    public static class Input {
        byte[] quote;
        Collateral collateral;
        TdxVerifier verifier;
        // the floor's inputs
        ECPublicKeyParameters pckKey;
        ECPublicKeyParameters attestationKey;
        byte[] qeReport;
        byte[] qeSignature;
        byte[] signedRegion;
        byte[] quoteSignature;
        byte[] akAndAuth;

        @Setup(Level.Trial)
        public void load() throws Exception {
            quote = Files.readAllBytes(TdxBench.vectors().resolve("intel-tdx/dcap-qvl/tdx_quote_v4.bin"));
            collateral = Collateral.fromDcapQvlJson(Files.readAllBytes(TdxBench.vectors().resolve(
                    "intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json")));
            verifier = verifier();
            if (!verifier.verify(quote, collateral).trusted()) {
                throw new IllegalStateException("the benchmark quote must verify");
            }
            Quote q = Quote.parse(quote);
            QeReportCertificationData qe = q.qeReportCertificationData();
            X509Certificate pck = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(qe.pckCertificationData().pemChain().getBytes())).iterator().next();
            pckKey = (ECPublicKeyParameters) PublicKeyFactory.createKey(pck.getPublicKey().getEncoded());
            X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
            byte[] ak = q.signatureData().attestationKey().toArray();
            byte[] encoded = new byte[65];
            encoded[0] = 4;
            System.arraycopy(ak, 0, encoded, 1, 64);
            attestationKey = new ECPublicKeyParameters(curve.getCurve().decodePoint(encoded), new ECDomainParameters(curve));
            qeReport = qe.qeReport().toBytes();
            qeSignature = qe.qeReportSignature().toArray();
            signedRegion = q.signedRegion();
            quoteSignature = q.signatureData().signature().toArray();
            akAndAuth = new byte[ak.length + qe.qeAuthData().length()];
            System.arraycopy(ak, 0, akAndAuth, 0, ak.length);
            qe.qeAuthData().copyTo(akAndAuth, ak.length);
        }
    }

    static TdxVerifier verifier() {
        return TdxVerifier.builder().clock(Clock.fixed(Instant.parse("2025-07-01T00:00:00Z"), ZoneOffset.UTC)).build();
    }

    @Benchmark
    @Threads(1)
    public TdxVerification verifyWarm1(Input in) {
        return in.verifier.verify(in.quote, in.collateral);
    }

    @Benchmark
    @Threads(2)
    public TdxVerification verifyWarmAllCores(Input in) {
        return in.verifier.verify(in.quote, in.collateral);
    }

    /** A new verifier per quote: chains, CRLs and collateral parsed and checked every time. */
    @Benchmark
    @Threads(1)
    public TdxVerification verifyCold1(Input in) {
        return verifier().verify(in.quote, in.collateral);
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
        boolean qe = verify(in.pckKey, in.qeReport, in.qeSignature);
        byte[] binding = MessageDigest.getInstance("SHA-256").digest(in.akAndAuth);
        boolean q = verify(in.attestationKey, in.signedRegion, in.quoteSignature);
        return qe && q && binding[0] == in.qeReport[320];
    }

    private static boolean verify(ECPublicKeyParameters key, byte[] message, byte[] rs) throws Exception {
        ECDSASigner v = new ECDSASigner();
        v.init(false, key);
        return v.verifySignature(MessageDigest.getInstance("SHA-256").digest(message), new BigInteger(1, Arrays.copyOfRange(rs, 0, 32)),
                new BigInteger(1, Arrays.copyOfRange(rs, 32, 64)));
    }
}
