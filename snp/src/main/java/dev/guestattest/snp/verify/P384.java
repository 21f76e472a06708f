package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import java.math.BigInteger;
import java.security.PublicKey;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/** ECDSA P-384 / SHA-384 verification with Bouncy Castle's lightweight API, keys decoded once and reused. */
final class P384 {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp384r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE);

    private P384() {
    }

    static ECPublicKeyParameters key(PublicKey key) {
        try {
            AsymmetricKeyParameter p = PublicKeyFactory.createKey(key.getEncoded());
            if (p instanceof ECPublicKeyParameters ec && ec.getParameters().getCurve().equals(CURVE.getCurve())) {
                return new ECPublicKeyParameters(ec.getQ(), DOMAIN);
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            // reported below
        }
        throw AttestationException.invalid("VCEK key", "is not an ECDSA P-384 key");
    }

    static boolean verify(ECPublicKeyParameters key, byte[] message, BigInteger r, BigInteger s) {
        ECDSASigner v = new ECDSASigner();
        v.init(false, key);
        return v.verifySignature(sha384(message), r, s);
    }

    static byte[] sha384(byte[] message) {
        return dev.guestattest.core.mr.HashAlgorithm.SHA384.hash(message);
    }
}
