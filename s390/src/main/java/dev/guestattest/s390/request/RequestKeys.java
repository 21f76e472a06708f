// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.request;

import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.s390.abi.Arcb;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key handling both ends of a request share, as IBM's tools do it: P-521 keys travel as two
 * coordinates left-padded to 80 bytes; a host key is named by SHA-256 of those; a key slot's
 * wrapping key is SHA-256(ECDH x-coordinate || 00 00 00 01), used with AES-256-GCM and a zero IV.
 */
public final class RequestKeys {
    private static final int COORDINATE = 80;
    private static final int P521_BYTES = 66;
    private static final byte[] ZERO_IV = new byte[Arcb.IV_SIZE];

    private RequestKeys() {
    }

    /**
     * Host keys from PEM text: public keys and host key documents (certificates), any number of
     * blocks, as the request may be sealed to several hosts.
     */
    public static java.util.List<PublicKey> hostKeys(String what, byte[] pem) {
        return Pem.publicKeys(what, pem);
    }

    public static Bytes coordinates(PublicKey key) {
        ECPublicKey k = p521(key);
        byte[] out = new byte[2 * COORDINATE];
        put(k.getW().getAffineX(), out, 0);
        put(k.getW().getAffineY(), out, COORDINATE);
        return Bytes.of(out);
    }

    public static PublicKey publicKey(Bytes coordinates) {
        byte[] c = coordinates.checkLength("ARCB customer key", 2 * COORDINATE).toArray();
        for (int i = 0; i < COORDINATE - P521_BYTES; i++) {
            if (c[i] != 0 || c[COORDINATE + i] != 0) {
                throw AttestationException.invalid("ARCB customer key", "a coordinate is wider than P-521's 66 bytes");
            }
        }
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp521r1"));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(new BigInteger(1, Arrays.copyOf(c, COORDINATE)),
                    new BigInteger(1, Arrays.copyOfRange(c, COORDINATE, 2 * COORDINATE))), p.getParameterSpec(ECParameterSpec.class)));
        } catch (GeneralSecurityException | RuntimeException e) {
            // the JDK reports some bad points as unchecked exceptions
            throw AttestationException.invalid("ARCB customer key", "not a P-521 point");
        }
    }

    public static Bytes hostKeyHash(PublicKey host) {
        return sha256(coordinates(host).toArray());
    }

    /** The AES-256 key a key slot is wrapped under, from one side's private key and the other's public key. */
    static byte[] exchangeKey(PrivateKey mine, PublicKey theirs) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(mine);
            ka.doPhase(theirs, true);
            byte[] secret = ka.generateSecret();
            byte[] counted = Arrays.copyOf(secret, secret.length + 4);
            counted[counted.length - 1] = 1;
            Arrays.fill(secret, (byte) 0);
            byte[] key = sha256(counted).toArray();
            Arrays.fill(counted, (byte) 0);
            return key;
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("ARCB key", "ECDH on P-521 failed: " + e.getMessage());
        }
    }

    /** Wraps a 32-byte request protection key: 32 bytes of ciphertext and a 16-byte tag. */
    static byte[] wrap(byte[] exchangeKey, byte[] protectionKey) throws GeneralSecurityException {
        return gcm(Cipher.ENCRYPT_MODE, exchangeKey, ZERO_IV, new byte[0], protectionKey);
    }

    static byte[] unwrap(byte[] exchangeKey, byte[] wrappedAndTag) throws GeneralSecurityException {
        return gcm(Cipher.DECRYPT_MODE, exchangeKey, ZERO_IV, new byte[0], wrappedAndTag);
    }

    static byte[] gcm(int mode, byte[] key, byte[] iv, byte[] aad, byte[] data) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        return c.doFinal(data);
    }

    private static ECPublicKey p521(PublicKey key) {
        if (key instanceof ECPublicKey k && k.getParams().getCurve().getField().getFieldSize() == 521) {
            return k;
        }
        throw AttestationException.invalid("host key", "must be an EC P-521 public key, as IBM Z host keys are");
    }

    private static void put(BigInteger v, byte[] out, int offset) {
        byte[] b = v.toByteArray();
        int n = Math.min(b.length, COORDINATE);
        System.arraycopy(b, b.length - n, out, offset + COORDINATE - n, n);
    }

    private static Bytes sha256(byte[] data) {
        return Bytes.of(dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(data));
    }
}
