package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * ECDSA P-256 / SHA-256 verification of raw r||s signatures with Bouncy Castle's lightweight API
 * (3-4x the JDK's verify rate here). Keys are decoded once and reused: Bouncy Castle keeps its
 * precomputation for a point on the point, so a cached key verifies faster every time after.
 */
final class P256 {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE);

    private P256() {
    }

    /** A raw x||y public key (64 bytes), as quotes carry the attestation key. */
    static ECPublicKeyParameters rawKey(byte[] xy) {
        if (xy.length != 64) {
            throw AttestationException.invalid("attestation key", "must be 64 bytes, got " + xy.length);
        }
        byte[] encoded = new byte[65];
        encoded[0] = 4;
        System.arraycopy(xy, 0, encoded, 1, 64);
        try {
            return new ECPublicKeyParameters(CURVE.getCurve().decodePoint(encoded), DOMAIN);
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("attestation key", "not a point on P-256");
        }
    }

    /** A certificate's P-256 key. */
    static ECPublicKeyParameters key(PublicKey key) {
        try {
            AsymmetricKeyParameter p = PublicKeyFactory.createKey(key.getEncoded());
            if (p instanceof ECPublicKeyParameters ec && ec.getParameters().getCurve().equals(CURVE.getCurve())) {
                return new ECPublicKeyParameters(ec.getQ(), DOMAIN);
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            // reported below
        }
        throw AttestationException.invalid("certificate key", "is not an ECDSA P-256 key");
    }

    static boolean verify(ECPublicKeyParameters key, byte[] message, byte[] rs) {
        if (rs.length != 64) {
            return false;
        }
        ECDSASigner v = new ECDSASigner();
        v.init(false, key);
        return v.verifySignature(sha256(message), new BigInteger(1, Arrays.copyOfRange(rs, 0, 32)),
                new BigInteger(1, Arrays.copyOfRange(rs, 32, 64)));
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
