// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.rcar.FastEc;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.SharedDocuments;
import dev.guestattest.core.AttestationException;
import dev.guestattest.verify.ear.AppraiserKey;
import dev.guestattest.verify.ear.EarSigner;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * The token-signing key pair, shared through the store (sealed with the KEK) so every instance
 * signs and verifies alike: the first instance to start stores one, the others use it.
 */
record TokenKey(EarSigner signer, ECPublicKey publicKey) {
    static TokenKey shared(SharedDocuments documents, Kek kek, long now) {
        byte[] stored = documents.putIfAbsent(SharedDocuments.SIGNING_KEY, seal(kek, AppraiserKey.generate()), now);
        KeyPair opened = open(kek, stored);
        // Bouncy Castle keys naming their curve: its ES256 is several times faster here (see FastEc)
        KeyPair kp = new KeyPair(FastEc.bc(opened.getPublic()), FastEc.bc(opened.getPrivate()));
        return new TokenKey(new EarSigner(kp, Optional.of(FastEc.PROVIDER)), (ECPublicKey) kp.getPublic());
    }

    /** Sealed: the public key's length (4 bytes), the public key (X.509), the private key (PKCS#8). */
    private static byte[] seal(Kek kek, KeyPair kp) {
        byte[] priv = kp.getPrivate().getEncoded();
        byte[] pub = kp.getPublic().getEncoded();
        byte[] both = ByteBuffer.allocate(4 + pub.length + priv.length).putInt(pub.length).put(pub).put(priv).array();
        try {
            return kek.seal(SharedDocuments.SIGNING_KEY, both).toBytes();
        } finally {
            Arrays.fill(both, (byte) 0);
            Arrays.fill(priv, (byte) 0);
        }
    }

    private static KeyPair open(Kek kek, byte[] stored) {
        byte[] both = kek.open(SharedDocuments.SIGNING_KEY, Kek.Sealed.fromBytes("token-signing key", stored));
        ByteBuffer p = ByteBuffer.wrap(both);
        byte[] pub = new byte[p.getInt()];
        p.get(pub);
        byte[] priv = new byte[p.remaining()];
        p.get(priv);
        try {
            KeyFactory kf = KeyFactory.getInstance("EC");
            return new KeyPair(kf.generatePublic(new X509EncodedKeySpec(pub)), kf.generatePrivate(new PKCS8EncodedKeySpec(priv)));
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("token-signing key", "stored key is unreadable: " + e.getMessage());
        } finally {
            Arrays.fill(both, (byte) 0);
            Arrays.fill(priv, (byte) 0);
        }
    }
}
