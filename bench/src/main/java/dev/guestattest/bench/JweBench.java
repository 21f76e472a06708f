// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.guestattest.broker.client.EcdhEs;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
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
 * A release's JWE, both ends, P-256 ECDH-ES+A256KW with A256GCM: the broker wraps with a fresh
 * ephemeral key ({@link EcdhEs} against nimbus's JCA path, on Bouncy Castle's provider as the broker
 * used it, and on the JDK's); the guest makes its exchange key and opens the JWE.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JweBench {
    private static final Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    private static final byte[] SECRET = "a disk key: 32 bytes of entropy!".getBytes(StandardCharsets.UTF_8);

    @State(Scope.Benchmark)
    public static class Keys {
        ECKey jdkRecipient;
        EcdhEs.KeyPair guest;
        String wrapped;
        String wrappedToJdk;

        @Setup(Level.Trial)
        public void make() throws Exception {
            jdkRecipient = new ECKeyGenerator(Curve.P_256).generate();
            guest = EcdhEs.KeyPair.generate(Curve.P_256);
            JWEObject j = jwe();
            j.encrypt(EcdhEs.encrypter(guest.publicJwk()));
            wrapped = j.serialize();
            JWEObject n = jwe();
            n.encrypt(new ECDHEncrypter(jdkRecipient.toPublicJWK()));
            wrappedToJdk = n.serialize();
        }
    }

    private static JWEObject jwe() {
        return new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM).build(), new Payload(SECRET));
    }

    @Benchmark
    public String wrapEcdhEs(Keys k) throws Exception {
        JWEObject j = jwe();
        j.encrypt(EcdhEs.encrypter(k.jdkRecipient.toPublicJWK()));
        return j.serialize();
    }

    @Benchmark
    public String wrapNimbusOnBouncyCastleJca(Keys k) throws Exception {
        ECDHEncrypter e = new ECDHEncrypter(k.jdkRecipient.toPublicJWK());
        e.getJCAContext().setKeyEncryptionProvider(BC);
        JWEObject j = jwe();
        j.encrypt(e);
        return j.serialize();
    }

    @Benchmark
    public String wrapNimbusOnJdk(Keys k) throws Exception {
        JWEObject j = jwe();
        j.encrypt(new ECDHEncrypter(k.jdkRecipient.toPublicJWK()));
        return j.serialize();
    }

    /** The guest's side: its exchange key, then opening what the broker sent. */
    @Benchmark
    public byte[] guestKeyAndUnwrapEcdhEs(Keys k) throws Exception {
        EcdhEs.KeyPair.generate(Curve.P_256).publicJwk();
        JWEObject j = JWEObject.parse(k.wrapped);
        j.decrypt(k.guest.decrypter());
        return j.getPayload().toBytes();
    }

    @Benchmark
    public byte[] guestKeyAndUnwrapNimbusOnJdk(Keys k) throws Exception {
        new ECKeyGenerator(Curve.P_256).generate();
        JWEObject j = JWEObject.parse(k.wrappedToJdk);
        j.decrypt(new ECDHDecrypter(k.jdkRecipient));
        return j.getPayload().toBytes();
    }
}
