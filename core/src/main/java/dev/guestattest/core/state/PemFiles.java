// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** PEM files of an emulator's state directory (0700): written atomically, keys created readable by the owner only. The codec is {@link Pem}. */
public final class PemFiles {
    private PemFiles() {
    }

    public static void writeCertificate(Path file, X509Certificate cert) {
        try {
            writeAtomically(file, Pem.encode("CERTIFICATE", cert.getEncoded()).getBytes(StandardCharsets.US_ASCII), false);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void writePrivateKey(Path file, PrivateKey key) {
        writeAtomically(file, Pem.encode("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII), true);
    }

    public static void writePublicKey(Path file, PublicKey key) {
        writeAtomically(file, Pem.encode("PUBLIC KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII), false);
    }

    public static X509Certificate readCertificate(Path file) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
        } catch (IOException | GeneralSecurityException e) {
            throw corrupt(file, e);
        }
    }

    /** An EC private key (PKCS#8 PEM). */
    public static PrivateKey readPrivateKey(Path file) {
        return readPrivateKey(file, "EC");
    }

    /** A private key of {@code algorithm} ("EC", "RSA") from PKCS#8 PEM. */
    public static PrivateKey readPrivateKey(Path file, String algorithm) {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der(file)));
        } catch (GeneralSecurityException e) {
            throw corrupt(file, e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der(file)));
        } catch (GeneralSecurityException e) {
            throw corrupt(file, e);
        }
    }

    private static byte[] der(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return Base64.getDecoder().decode(body);
        } catch (IOException | IllegalArgumentException e) {
            throw corrupt(file, e);
        }
    }

    /** Replaces {@code file} whole; a {@code secret} one is readable by the owner only from its creation on. */
    public static void writeAtomically(Path file, byte[] content, boolean secret) {
        try {
            AtomicFiles.write(file, content, secret);
        } catch (IOException | UnsupportedOperationException e) {
            throw AttestationException.of(Reason.IO_ERROR, "state directory: cannot write " + file + " ("
                    + e.getClass().getSimpleName() + "); choose a writable one with --state-dir or GUEST_ATTEST_STATE_DIR", e);
        }
    }

    /**
     * Creates {@code dir} if needed, and any missing parents, with mode 0700 (they hold private keys),
     * and checks it is writable, with an error that says how to choose another.
     */
    public static void ensureDirectory(Path dir) {
        try {
            AtomicFiles.createPrivateDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw AttestationException.of(Reason.IO_ERROR, "state directory: cannot create or write " + dir + " ("
                    + e.getClass().getSimpleName() + "); choose a writable one with --state-dir or GUEST_ATTEST_STATE_DIR", e);
        }
    }

    public static AttestationException corrupt(Path file, Exception e) {
        return AttestationException.of(Reason.IO_ERROR, "state directory: " + file + " is unreadable or corrupt ("
                + e.getClass().getSimpleName() + "); run 'guest-attest emulator reset --platform' to recreate it", e);
    }
}
