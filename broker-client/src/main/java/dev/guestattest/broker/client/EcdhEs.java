// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWECryptoParts;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.impl.AAD;
import com.nimbusds.jose.crypto.impl.CriticalHeaderParamsDeferral;
import com.nimbusds.jose.crypto.impl.ECDHCryptoProvider;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import dev.guestattest.broker.wire.ProtectedHeader;
import dev.guestattest.core.AttestationException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDH-ES+A256KW with A256GCM (RFC 7518 §4.6), both ends: the curve arithmetic is Bouncy Castle's
 * lightweight API on one domain per curve; nimbus does the rest (header, Concat KDF, AES key wrap,
 * GCM). Why not nimbus's own ECDH classes: they go through the JCA, where Bouncy Castle's key pair
 * generator rebuilds the curve from the JDK's parameters for every key and so recomputes its
 * fixed-base table each time, and the JDK's own provider is slower still; that was the largest CPU
 * cost of a release on both sides. Here the table is computed once per curve and kept.
 */
public final class EcdhEs {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A NIST curve as JOSE names it and as Bouncy Castle computes on it. */
    private record Domain(Curve curve, ECDomainParameters params, int fieldBytes) {
        static Domain of(Curve curve, String name) {
            X9ECParameters x9 = CustomNamedCurves.getByName(name);
            return new Domain(curve, new ECDomainParameters(x9), (x9.getCurve().getFieldSize() + 7) / 8);
        }
    }

    private static final Map<Curve, Domain> DOMAINS = Map.of(
            Curve.P_256, Domain.of(Curve.P_256, "secp256r1"),
            Curve.P_384, Domain.of(Curve.P_384, "secp384r1"),
            Curve.P_521, Domain.of(Curve.P_521, "secp521r1"));

    private EcdhEs() {
    }

    /** The curves a TEE key may be on. */
    public static Set<Curve> curves() {
        return DOMAINS.keySet();
    }

    /** Wraps to {@code recipient}'s public key with a fresh ephemeral key for each JWE. */
    public static JWEEncrypter encrypter(ECKey recipient) {
        Domain d = domain(recipient.getCurve(), "tee-pubkey.crv");
        try {
            return new Encrypter(d, recipient);
        } catch (JOSEException e) {
            throw new IllegalStateException("nimbus supports " + d.curve() + " for ECDH-ES", e);
        }
    }

    /** A key pair made for one exchange (the guest's side); it never prints its private part. */
    public static final class KeyPair {
        private final Domain domain;
        private final ECPrivateKeyParameters privateKey;
        private final ECKey publicJwk;

        private KeyPair(Domain domain, AsymmetricCipherKeyPair kp) {
            this.domain = domain;
            this.privateKey = (ECPrivateKeyParameters) kp.getPrivate();
            this.publicJwk = jwk(domain, ((ECPublicKeyParameters) kp.getPublic()).getQ())
                    .algorithm(JWEAlgorithm.ECDH_ES_A256KW).build();
        }

        /** A fresh key pair on {@code curve} (P-256, P-384 or P-521). */
        public static KeyPair generate(Curve curve) {
            Domain d = domain(curve, "curve");
            return new KeyPair(d, newKeyPair(d));
        }

        /** The public key as a JWK with {@code alg: ECDH-ES+A256KW}, as RCAR's runtime data carries it. */
        public ECKey publicJwk() {
            return publicJwk;
        }

        /** Opens JWEs wrapped to this key pair. */
        public JWEDecrypter decrypter() {
            try {
                return new Decrypter(this);
            } catch (JOSEException e) {
                throw new IllegalStateException("nimbus supports " + domain.curve() + " for ECDH-ES", e);
            }
        }

        @Override
        public String toString() {
            return "EcdhEs.KeyPair[" + domain.curve() + ", private part hidden]";
        }
    }

    private static Domain domain(Curve curve, String field) {
        Domain d = DOMAINS.get(curve);
        if (d == null) {
            throw AttestationException.invalid(field, curve + " is not P-256, P-384 or P-521");
        }
        return d;
    }

    private static AsymmetricCipherKeyPair newKeyPair(Domain d) {
        ECKeyPairGenerator g = new ECKeyPairGenerator();
        g.init(new ECKeyGenerationParameters(d.params(), RANDOM));
        return g.generateKeyPair();
    }

    private static ECKey.Builder jwk(Domain d, ECPoint q) {
        ECPoint n = q.normalize();
        return new ECKey.Builder(d.curve(), coordinate(d, n.getAffineXCoord().toBigInteger()), coordinate(d, n.getAffineYCoord().toBigInteger()));
    }

    private static Base64URL coordinate(Domain d, BigInteger v) {
        return Base64URL.encode(BigIntegers.asUnsignedByteArray(d.fieldBytes(), v));
    }

    /** A JWK's point on its curve; decoding checks that it is on the curve (no invalid-curve attack). */
    private static ECPublicKeyParameters point(Domain d, ECKey key) throws JOSEException {
        byte[] x = key.getX().decode();
        byte[] y = key.getY().decode();
        if (x.length != d.fieldBytes() || y.length != d.fieldBytes()) {
            throw new JOSEException("EC key coordinates must be " + d.fieldBytes() + " bytes each for " + d.curve());
        }
        byte[] encoded = new byte[1 + 2 * d.fieldBytes()];
        encoded[0] = 4;
        System.arraycopy(x, 0, encoded, 1, x.length);
        System.arraycopy(y, 0, encoded, 1 + x.length, y.length);
        try {
            return new ECPublicKeyParameters(d.params().getCurve().decodePoint(encoded), d.params());
        } catch (IllegalArgumentException e) {
            throw new JOSEException("EC key is not a point on " + d.curve());
        }
    }

    /** Z, the shared secret: the x coordinate of the product, fixed to the field's length. */
    private static SecretKey z(Domain d, ECPrivateKeyParameters mine, ECPublicKeyParameters theirs) {
        ECDHBasicAgreement a = new ECDHBasicAgreement();
        a.init(mine);
        return new SecretKeySpec(BigIntegers.asUnsignedByteArray(d.fieldBytes(), a.calculateAgreement(theirs)), "AES");
    }

    private static final class Encrypter extends ECDHCryptoProvider implements JWEEncrypter {
        private final Domain domain;
        private final ECKey recipient;

        Encrypter(Domain domain, ECKey recipient) throws JOSEException {
            super(domain.curve(), null);
            this.domain = domain;
            this.recipient = recipient;
        }

        // nimbus's constructor asks before this object's fields are set, so the answer cannot be the one curve
        @Override
        public Set<Curve> supportedEllipticCurves() {
            return DOMAINS.keySet();
        }

        @Override
        public JWECryptoParts encrypt(JWEHeader header, byte[] clearText, byte[] aad) throws JOSEException {
            ECPublicKeyParameters theirs = point(domain, recipient);
            AsymmetricCipherKeyPair ephemeral = newKeyPair(domain);
            // the header as kbs-types writes it, which is what a guest-components guest authenticates
            JWEHeader withEpk = ProtectedHeader.of(header.getAlgorithm(), header.getEncryptionMethod(),
                    Optional.of(jwk(domain, ((ECPublicKeyParameters) ephemeral.getPublic()).getQ()).build()));
            SecretKey z = z(domain, (ECPrivateKeyParameters) ephemeral.getPrivate(), theirs);
            // the AAD is the protected header, which now carries the epk
            return encryptWithZ(withEpk, z, clearText, AAD.compute(withEpk));
        }
    }

    private static final class Decrypter extends ECDHCryptoProvider implements JWEDecrypter {
        private final KeyPair key;
        private final CriticalHeaderParamsDeferral critical = new CriticalHeaderParamsDeferral();

        Decrypter(KeyPair key) throws JOSEException {
            super(key.domain.curve(), null);
            this.key = key;
        }

        @Override
        public Set<Curve> supportedEllipticCurves() {
            return DOMAINS.keySet();
        }

        @Override
        public byte[] decrypt(JWEHeader header, Base64URL encryptedKey, Base64URL iv, Base64URL cipherText, Base64URL authTag, byte[] aad)
                throws JOSEException {
            critical.ensureHeaderPasses(header);
            JWK epk = header.getEphemeralPublicKey();
            if (!(epk instanceof ECKey ec) || !key.domain.curve().equals(ec.getCurve())) {
                throw new JOSEException("the JWE header's epk must be an EC key on " + key.domain.curve());
            }
            SecretKey z = z(key.domain, key.privateKey, point(key.domain, ec));
            return decryptWithZ(header, aad, z, encryptedKey, iv, cipherText, authTag);
        }
    }
}
