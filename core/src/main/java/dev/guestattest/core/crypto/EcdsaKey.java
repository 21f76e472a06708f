// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.crypto;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.mr.HashAlgorithm;
import java.math.BigInteger;
import java.security.PublicKey;
import java.util.Arrays;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * An ECDSA public key ready to verify, the one ECDSA of every verifier (TDX quotes and collateral,
 * SNP reports, CCA tokens). Bouncy Castle's lightweight API verifies 3-4x faster than the JDK's
 * here, and keeps its precomputation on the point: a key decoded once and reused verifies faster
 * every time after, so callers cache keys, not bytes. Immutable and thread-safe.
 */
public final class EcdsaKey {
    /** The curves vendors sign with, each with the hash its signatures use and its scalar size. */
    public enum Curve {
        P256(HashAlgorithm.SHA256), P384(HashAlgorithm.SHA384);

        private final HashAlgorithm hash;

        Curve(HashAlgorithm hash) {
            this.hash = hash;
        }

        /**
         * The curve's domain, built on first use of that curve: Bouncy Castle precomputes tables for
         * its generator, work a process that only ever sees P-256 (TDX) should not pay for P-384.
         */
        ECDomainParameters domain() {
            return this == P256 ? P256Domain.DOMAIN : P384Domain.DOMAIN;
        }

        /** Bytes of r or s. */
        public int scalarSize() {
            return (domain().getN().bitLength() + 7) / 8;
        }

        public HashAlgorithm hash() {
            return hash;
        }
    }

    private static final class P256Domain {
        static final ECDomainParameters DOMAIN = new ECDomainParameters(CustomNamedCurves.getByName("secp256r1"));
    }

    private static final class P384Domain {
        static final ECDomainParameters DOMAIN = new ECDomainParameters(CustomNamedCurves.getByName("secp384r1"));
    }

    private final Curve curve;
    private final ECPublicKeyParameters key;

    private EcdsaKey(Curve curve, ECPublicKeyParameters key) {
        this.curve = curve;
        this.key = key;
    }

    /** A raw x||y point (as TDX quotes carry the attestation key); {@code field} names it in errors. */
    public static EcdsaKey raw(Curve curve, String field, byte[] xy) {
        int n = curve.scalarSize();
        if (xy.length != 2 * n) {
            throw AttestationException.invalid(field, "must be " + 2 * n + " bytes, got " + xy.length);
        }
        byte[] encoded = new byte[1 + 2 * n];
        encoded[0] = 4;
        System.arraycopy(xy, 0, encoded, 1, 2 * n);
        try {
            return new EcdsaKey(curve, new ECPublicKeyParameters(curve.domain().getCurve().decodePoint(encoded), curve.domain()));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid(field, "not a point on " + curve);
        }
    }

    /** A JCA key (a certificate's) on {@code curve}; another curve or algorithm is an error naming {@code field}. */
    public static EcdsaKey of(Curve curve, String field, PublicKey publicKey) {
        try {
            AsymmetricKeyParameter p = PublicKeyFactory.createKey(publicKey.getEncoded());
            if (p instanceof ECPublicKeyParameters ec && ec.getParameters().getCurve().equals(curve.domain().getCurve())) {
                return new EcdsaKey(curve, new ECPublicKeyParameters(ec.getQ(), curve.domain()));
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            // reported below
        }
        throw AttestationException.invalid(field, "is not an ECDSA " + curve + " key");
    }

    /** A JCA key on P-256 or P-384, whichever it is. */
    public static EcdsaKey of(String field, PublicKey publicKey) {
        for (Curve c : Curve.values()) {
            try {
                return of(c, field, publicKey);
            } catch (AttestationException notThisCurve) {
                // try the next
            }
        }
        throw AttestationException.invalid(field, "is not an ECDSA P-256 or P-384 key");
    }

    public Curve curve() {
        return curve;
    }

    /** A raw r||s signature over {@code message} hashed with the curve's hash; a wrong length is a failed verification. */
    public boolean verify(byte[] message, byte[] rs) {
        return verify(curve.hash, message, rs);
    }

    /** As {@link #verify(byte[], byte[])} with {@code hash} (COSE names its algorithm apart from the key). */
    public boolean verify(HashAlgorithm hash, byte[] message, byte[] rs) {
        int n = curve.scalarSize();
        if (rs.length != 2 * n) {
            return false;
        }
        return verify(hash, message, new BigInteger(1, Arrays.copyOfRange(rs, 0, n)), new BigInteger(1, Arrays.copyOfRange(rs, n, 2 * n)));
    }

    public boolean verify(HashAlgorithm hash, byte[] message, BigInteger r, BigInteger s) {
        ECDSASigner v = new ECDSASigner();
        v.init(false, key);
        return v.verifySignature(hash.hash(message), r, s);
    }

    @Override
    public String toString() {
        return "EcdsaKey[" + curve + "]";
    }
}
