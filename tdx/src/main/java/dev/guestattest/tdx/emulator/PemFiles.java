package dev.guestattest.tdx.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** PEM files of the emulator's state directory: written atomically, keys readable by the owner only. */
final class PemFiles {
    private PemFiles() {
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static void writeCertificate(Path file, X509Certificate cert) {
        try {
            writeAtomically(file, pem("CERTIFICATE", cert.getEncoded()).getBytes(StandardCharsets.US_ASCII), false);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writePrivateKey(Path file, PrivateKey key) {
        writeAtomically(file, pem("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII), true);
    }

    static void writePublicKey(Path file, PublicKey key) {
        writeAtomically(file, pem("PUBLIC KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII), false);
    }

    static X509Certificate readCertificate(Path file) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
        } catch (IOException | GeneralSecurityException e) {
            throw corrupt(file, e);
        }
    }

    static PrivateKey readPrivateKey(Path file) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der(file)));
        } catch (GeneralSecurityException e) {
            throw corrupt(file, e);
        }
    }

    static PublicKey readPublicKey(Path file) {
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

    static void writeAtomically(Path file, byte[] content, boolean secret) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, content);
            if (secret) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw AttestationException.of(Reason.IO_ERROR, "state directory: cannot write " + file + " ("
                    + e.getClass().getSimpleName() + "); choose a writable one with --state-dir or GUEST_ATTEST_STATE_DIR", e);
        }
    }

    static AttestationException corrupt(Path file, Exception e) {
        return AttestationException.of(Reason.IO_ERROR, "state directory: " + file + " is unreadable or corrupt ("
                + e.getClass().getSimpleName() + "); run 'guest-attest emulator reset --platform' to recreate it", e);
    }
}
