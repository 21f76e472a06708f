// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import dev.guestattest.cca.abi.CcaToken;
import dev.guestattest.core.cose.CoseSign1;
import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.cca.verify.Cpak;
import java.nio.file.Files;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
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

/** Verifying the rust-ccatoken test token 01 (two ES384 COSE verifications plus CBOR decoding) next to the two verifications alone. */
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@OutputTimeUnit(TimeUnit.SECONDS)
@BenchmarkMode(Mode.Throughput)
public class CcaVerifyBench {
    @State(Scope.Benchmark)
    public static class Input {
        byte[] token;
        List<Cpak> anchors;
        byte[] realmTbs;
        byte[] realmSig;
        PublicKey rak;
        byte[] platformTbs;
        byte[] platformSig;
        PublicKey cpak;

        @Setup(Level.Trial)
        public void load() throws Exception {
            token = Files.readAllBytes(TdxBench.vectors().resolve("arm-cca/rust-ccatoken/cca-token-01.cbor"));
            anchors = Cpak.fromJson(Files.readAllBytes(TdxBench.vectors().resolve("arm-cca/rust-ccatoken/cpak.json")));
            if (!CcaVerifier.verify(token, anchors).trusted()) {
                throw new IllegalStateException("the benchmark token must verify");
            }
            CcaToken t = CcaToken.parse(token);
            CoseSign1 realm = CoseSign1.parse("realm", t.realmToken().toArray());
            CoseSign1 platform = CoseSign1.parse("platform", t.platformToken().toArray());
            realmTbs = realm.toBeSigned();
            realmSig = realm.signature().toArray();
            platformTbs = platform.toBeSigned();
            platformSig = platform.signature().toArray();
            cpak = anchors.get(0).key();
            rak = rakOf(token);
        }

        private static PublicKey rakOf(byte[] token) {
            var r = CcaVerifier.verify(token, List.of()).realm().orElseThrow().rak().toArray();
            return dev.guestattest.bench.CcaVerifyBench.point(r);
        }
    }

    static PublicKey point(byte[] raw) {
        try {
            var p = java.security.AlgorithmParameters.getInstance("EC");
            p.init(new java.security.spec.ECGenParameterSpec("secp384r1"));
            return java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(new java.security.spec.ECPoint(
                    new java.math.BigInteger(1, java.util.Arrays.copyOfRange(raw, 1, 49)), new java.math.BigInteger(1, java.util.Arrays.copyOfRange(raw, 49, 97))),
                    p.getParameterSpec(java.security.spec.ECParameterSpec.class)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public CcaVerifier.Result verify(Input in) {
        return CcaVerifier.verify(in.token, in.anchors);
    }

    @Benchmark
    public boolean floor(Input in) throws Exception {
        return es384(in.rak, in.realmTbs, in.realmSig) & es384(in.cpak, in.platformTbs, in.platformSig);
    }

    /** The same Bouncy Castle ES384 verification the verifier makes, key decoded each time as the verifier does. */
    private static boolean es384(PublicKey k, byte[] data, byte[] sig) throws Exception {
        var params = (org.bouncycastle.crypto.params.ECPublicKeyParameters) org.bouncycastle.crypto.util.PublicKeyFactory.createKey(k.getEncoded());
        var v = new org.bouncycastle.crypto.signers.ECDSASigner();
        v.init(false, params);
        return v.verifySignature(java.security.MessageDigest.getInstance("SHA-384").digest(data),
                new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, 48)), new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 48, 96)));
    }
}
