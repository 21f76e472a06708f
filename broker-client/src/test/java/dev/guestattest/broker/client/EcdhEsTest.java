// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.guestattest.core.AttestationException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ECDH-ES+A256KW on Bouncy Castle's arithmetic against nimbus's own implementation on the JDK's
 * (an independent one): each opens what the other wraps, on every curve; and every way a JWE or
 * its ephemeral key can be wrong is refused.
 */
class EcdhEsTest {
    private static final byte[] SECRET = "a disk key: 32 bytes of entropy!".getBytes(StandardCharsets.UTF_8);

    static List<Curve> curves() {
        return List.of(Curve.P_256, Curve.P_384, Curve.P_521);
    }

    private static JWEObject jwe() {
        return new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM).build(), new Payload(SECRET));
    }

    @ParameterizedTest
    @MethodSource("curves")
    void wrapsOpenWithNimbusOnTheJdkAndTheOtherWayRound(Curve curve) throws Exception {
        ECKey recipient = new ECKeyGenerator(curve).generate();
        JWEObject ours = jwe();
        ours.encrypt(EcdhEs.encrypter(recipient.toPublicJWK()));
        JWEObject atJdk = JWEObject.parse(ours.serialize());
        atJdk.decrypt(new ECDHDecrypter(recipient));
        assertThat(atJdk.getPayload().toBytes()).isEqualTo(SECRET);

        EcdhEs.KeyPair guest = EcdhEs.KeyPair.generate(curve);
        JWEObject theirs = jwe();
        theirs.encrypt(new ECDHEncrypter(guest.publicJwk()));
        JWEObject atGuest = JWEObject.parse(theirs.serialize());
        atGuest.decrypt(guest.decrypter());
        assertThat(atGuest.getPayload().toBytes()).isEqualTo(SECRET);
    }

    @ParameterizedTest
    @MethodSource("curves")
    void everyWrapHasItsOwnEphemeralKeyWithFixedLengthCoordinates(Curve curve) throws Exception {
        EcdhEs.KeyPair guest = EcdhEs.KeyPair.generate(curve);
        int bytes = (curve.toECParameterSpec().getCurve().getField().getFieldSize() + 7) / 8;
        assertThat(guest.publicJwk().getX().decode()).hasSize(bytes);
        assertThat(guest.publicJwk().getY().decode()).hasSize(bytes);
        assertThat(guest.publicJwk().getAlgorithm()).isEqualTo(JWEAlgorithm.ECDH_ES_A256KW);
        assertThat(guest.publicJwk().isPrivate()).isFalse();
        JWEObject a = jwe();
        a.encrypt(EcdhEs.encrypter(guest.publicJwk()));
        JWEObject b = jwe();
        b.encrypt(EcdhEs.encrypter(guest.publicJwk()));
        ECKey epkA = (ECKey) a.getHeader().getEphemeralPublicKey();
        ECKey epkB = (ECKey) b.getHeader().getEphemeralPublicKey();
        assertThat(epkA.getCurve()).isEqualTo(curve);
        assertThat(epkA.getX().decode()).hasSize(bytes);
        assertThat(epkA.getY().decode()).hasSize(bytes);
        assertThat(epkA.isPrivate()).isFalse();
        assertThat(epkA.getX()).isNotEqualTo(epkB.getX());
        assertThat(a.getEncryptedKey()).isNotEqualTo(b.getEncryptedKey());
    }

    @Test
    void onlyTheKeyPairItWasWrappedToOpensIt() throws Exception {
        EcdhEs.KeyPair guest = EcdhEs.KeyPair.generate(Curve.P_256);
        JWEObject w = jwe();
        w.encrypt(EcdhEs.encrypter(guest.publicJwk()));
        JWEObject other = JWEObject.parse(w.serialize());
        assertThatThrownBy(() -> other.decrypt(EcdhEs.KeyPair.generate(Curve.P_256).decrypter())).isInstanceOf(JOSEException.class);
        String[] parts = w.serialize().split("\\.");
        byte[] ct = new Base64URL(parts[3]).decode();
        ct[0] ^= 1;
        JWEObject bent = JWEObject.parse(String.join(".", parts[0], parts[1], parts[2], Base64URL.encode(ct).toString(), parts[4]));
        assertThatThrownBy(() -> bent.decrypt(guest.decrypter())).isInstanceOf(JOSEException.class);
    }

    @Test
    void anEphemeralKeyOffTheCurveOnAnotherCurveShortOrMissingIsRefused() throws Exception {
        EcdhEs.KeyPair guest = EcdhEs.KeyPair.generate(Curve.P_256);
        JWEObject w = jwe();
        w.encrypt(EcdhEs.encrypter(guest.publicJwk()));
        ECKey epk = (ECKey) w.getHeader().getEphemeralPublicKey();
        byte[] y = epk.getY().decode();
        y[31] ^= 1;
        String offCurve = w.getHeader().toString().replace(epk.getY().toString(), Base64URL.encode(y).toString());
        assertThatThrownBy(() -> reheaded(w, offCurve).decrypt(guest.decrypter())).hasMessageContaining("not on the P-256 curve");
        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate().toPublicJWK();
        assertThatThrownBy(() -> withEpk(w, p384).decrypt(guest.decrypter())).hasMessageContaining("epk must be an EC key on P-256");
        // a coordinate with its leading zero byte dropped: on the curve, but not the fixed length RFC 7518 requires
        ECKey leadingZero = EcdhEs.KeyPair.generate(Curve.P_256).publicJwk();
        while (leadingZero.getX().decode()[0] != 0) {
            leadingZero = EcdhEs.KeyPair.generate(Curve.P_256).publicJwk();
        }
        byte[] x = leadingZero.getX().decode();
        ECKey shortX = new ECKey.Builder(Curve.P_256, Base64URL.encode(java.util.Arrays.copyOfRange(x, 1, 32)), leadingZero.getY()).build();
        assertThatThrownBy(() -> withEpk(w, shortX).decrypt(guest.decrypter())).hasMessageContaining("must be 32 bytes each for P-256");
        JWEHeader bare = new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM).build();
        assertThatThrownBy(() -> reheaded(w, bare.toString()).decrypt(guest.decrypter())).hasMessageContaining("epk must be an EC key on P-256");
    }

    /** A recipient key off the curve is refused as the broker parses it: TeeKeyTest, beside the broker's TeeKey. */
    @Test
    void aRecipientKeyOnAnUnsupportedCurveIsRefused() throws Exception {
        // secp256k1's generator point: a valid key on a curve RCAR does not use
        ECKey k1 = new ECKey.Builder(Curve.SECP256K1,
                Base64URL.encode(org.bouncycastle.util.encoders.Hex.decode("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")),
                Base64URL.encode(org.bouncycastle.util.encoders.Hex.decode("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"))).build();
        assertThatThrownBy(() -> EcdhEs.encrypter(k1)).isInstanceOf(AttestationException.class)
                .hasMessage("tee-pubkey.crv: secp256k1 is not P-256, P-384 or P-521");
        assertThatThrownBy(() -> EcdhEs.KeyPair.generate(Curve.SECP256K1)).isInstanceOf(AttestationException.class)
                .hasMessageContaining("is not P-256, P-384 or P-521");
    }

    @Test
    void aKeyPairNeverPrintsItsPrivatePart() {
        EcdhEs.KeyPair guest = EcdhEs.KeyPair.generate(Curve.P_256);
        assertThat(guest.toString()).isEqualTo("EcdhEs.KeyPair[P-256, private part hidden]");
        assertThat(guest.publicJwk().toJSONObject()).doesNotContainKey("d");
    }

    private static JWEObject withEpk(JWEObject w, ECKey epk) throws ParseException {
        return reheaded(w, new JWEHeader.Builder(w.getHeader()).ephemeralPublicKey(epk).build().toString());
    }

    /** {@code w} with another protected header, given as JSON (so it may hold what nimbus would not build). */
    private static JWEObject reheaded(JWEObject w, String headerJson) throws ParseException {
        return new JWEObject(Base64URL.encode(headerJson), w.getEncryptedKey(), w.getIV(), w.getCipherText(), w.getAuthTag());
    }
}
