// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.ear;

import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.StateLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;

/**
 * The appraiser's EAR signing key (P-256), kept in {@code <dir>/ear-key.pem} (owner-only) with its
 * public half beside it, made on first use so every run signs with the same key.
 */
public final class AppraiserKey {
    private AppraiserKey() {
    }

    public static KeyPair load(Path dir) {
        PemFiles.ensureDirectory(dir);
        return StateLock.with(dir, () -> {
            Path priv = dir.resolve("ear-key.pem");
            Path pub = dir.resolve("ear-key.pub.pem");
            if (Files.exists(priv) && Files.exists(pub)) {
                PrivateKey p = PemFiles.readPrivateKey(priv);
                PublicKey q = PemFiles.readPublicKey(pub);
                return new KeyPair(q, p);
            }
            KeyPair k = generate();
            PemFiles.writePrivateKey(priv, k.getPrivate());
            PemFiles.writePublicKey(pub, k.getPublic());
            return k;
        });
    }

    /** A fresh P-256 signing key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is mandatory in every JDK", e);
        }
    }
}
