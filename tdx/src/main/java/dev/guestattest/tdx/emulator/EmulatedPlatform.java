// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.StateLock;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

/**
 * The emulated TDX platform's long-lived secrets and PKI, persisted in a state directory so that
 * quotes from different runs verify against one root: the report MAC key (the CPU's), the QE's
 * attestation key, and the PCK chain (root, Platform CA, PCK leaf). Created once under a file
 * lock, so concurrent first runs agree on one root.
 */
public final class EmulatedPlatform {
    static final String ROOT_CERT = "root-ca.pem";
    private static final String ROOT_KEY = "root-ca.key";
    private static final String CA_CERT = "pck-platform-ca.pem";
    private static final String CA_KEY = "pck-platform-ca.key";
    private static final String PCK_CERT = "pck.pem";
    private static final String PCK_KEY = "pck.key";
    private static final String AK_KEY = "attestation.key";
    private static final String AK_PUB = "attestation.pub";
    private static final String SECRETS = "platform.secret";

    private final Path dir;
    private final X509Certificate root;
    private final X509Certificate platformCa;
    private final X509Certificate pck;
    private final PrivateKey pckKey;
    private final KeyPair attestationKey;
    private final byte[] reportMacKey;
    private final Bytes qeId;
    private final PlatformTcb tcb;

    private EmulatedPlatform(Path dir) {
        this.dir = dir;
        this.root = PemFiles.readCertificate(dir.resolve(ROOT_CERT));
        this.platformCa = PemFiles.readCertificate(dir.resolve(CA_CERT));
        this.pck = PemFiles.readCertificate(dir.resolve(PCK_CERT));
        this.pckKey = PemFiles.readPrivateKey(dir.resolve(PCK_KEY));
        this.attestationKey = new KeyPair(PemFiles.readPublicKey(dir.resolve(AK_PUB)), PemFiles.readPrivateKey(dir.resolve(AK_KEY)));
        List<String> secrets = readLines(dir.resolve(SECRETS));
        this.reportMacKey = hex(dir.resolve(SECRETS), secrets.get(0), 32);
        this.qeId = Bytes.of(hex(dir.resolve(SECRETS), secrets.get(1), 16));
        this.tcb = PlatformTcb.DEFAULT;
    }

    /** Loads the platform from {@code dir}, creating it first if it does not exist yet. */
    public static EmulatedPlatform open(Path dir, SecureRandom random, Clock clock) {
        PemFiles.ensureDirectory(dir);
        return StateLock.with(dir, () -> {
            if (!Files.exists(dir.resolve(SECRETS))) {
                create(dir, random, clock);
            }
            X509Certificate root = PemFiles.readCertificate(dir.resolve(ROOT_CERT));
            if (root.getBasicConstraints() < 1) {
                // Issued before path lengths were set (pathLen 0 cannot anchor the PCK CA): the same key, reissued.
                PemFiles.writeCertificate(dir.resolve(ROOT_CERT), PckCertificates.root(new KeyPair(root.getPublicKey(),
                        PemFiles.readPrivateKey(dir.resolve(ROOT_KEY))), clock.instant(), random));
            }
            return new EmulatedPlatform(dir);
        });
    }

    /** Whether a platform exists in {@code dir} (without creating one). */
    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(SECRETS));
    }

    private static void create(Path dir, SecureRandom random, Clock clock) {
        var now = clock.instant();
        KeyPair rootKey = PckCertificates.newKeyPair(random);
        X509Certificate root = PckCertificates.root(rootKey, now, random);
        KeyPair caKey = PckCertificates.newKeyPair(random);
        X509Certificate ca = PckCertificates.platformCa(caKey, root, rootKey.getPrivate(), now, random);
        KeyPair pckKey = PckCertificates.newKeyPair(random);
        byte[] ppid = new byte[16];
        random.nextBytes(ppid);
        X509Certificate pck = PckCertificates.pck(pckKey, ca, caKey.getPrivate(), PlatformTcb.DEFAULT, ppid, now, random);
        KeyPair ak = PckCertificates.newKeyPair(random);
        byte[] mac = new byte[32];
        byte[] qe = new byte[16];
        random.nextBytes(mac);
        random.nextBytes(qe);
        PemFiles.writePrivateKey(dir.resolve(ROOT_KEY), rootKey.getPrivate());
        PemFiles.writeCertificate(dir.resolve(ROOT_CERT), root);
        PemFiles.writePrivateKey(dir.resolve(CA_KEY), caKey.getPrivate());
        PemFiles.writeCertificate(dir.resolve(CA_CERT), ca);
        PemFiles.writePrivateKey(dir.resolve(PCK_KEY), pckKey.getPrivate());
        PemFiles.writeCertificate(dir.resolve(PCK_CERT), pck);
        PemFiles.writePrivateKey(dir.resolve(AK_KEY), ak.getPrivate());
        PemFiles.writePublicKey(dir.resolve(AK_PUB), ak.getPublic());
        // Written last: its presence marks a complete platform.
        PemFiles.writeAtomically(dir.resolve(SECRETS), (HexFormat.of().formatHex(mac) + "\n" + HexFormat.of().formatHex(qe)
                + "\n").getBytes(StandardCharsets.US_ASCII), true);
    }

    /** Deletes the platform in {@code dir}: the next open creates a new root. */
    public static void destroy(Path dir) {
        for (String f : List.of(SECRETS, ROOT_KEY, ROOT_CERT, CA_KEY, CA_CERT, PCK_KEY, PCK_CERT, AK_KEY, AK_PUB,
                EmulatedCollateral.TCB_SIGNING_CERT, EmulatedCollateral.TCB_SIGNING_KEY)) {
            try {
                Files.deleteIfExists(dir.resolve(f));
            } catch (IOException e) {
                throw AttestationException.of(Reason.IO_ERROR, "state directory: cannot delete " + dir.resolve(f), e);
            }
        }
    }

    public Path directory() {
        return dir;
    }

    public X509Certificate rootCertificate() {
        return root;
    }

    public X509Certificate platformCaCertificate() {
        return platformCa;
    }

    public X509Certificate pckCertificate() {
        return pck;
    }

    public PlatformTcb tcb() {
        return tcb;
    }

    /** The PEM chain the QE puts into quotes: PCK leaf, Platform CA, root. */
    public String pckChainPem() {
        try {
            return Pem.encode("CERTIFICATE", pck.getEncoded()) + Pem.encode("CERTIFICATE", platformCa.getEncoded())
                    + Pem.encode("CERTIFICATE", root.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The root certificate as PEM, for relying parties to pin. */
    public String rootCertificatePem() {
        try {
            return Pem.encode("CERTIFICATE", root.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the root certificate's DER, the form in which roots are pinned. */
    public String rootFingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(root.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    PrivateKey pckKey() {
        return pckKey;
    }

    KeyPair attestationKey() {
        return attestationKey;
    }

    /** The root CA's key, read only when the emulator issues collateral (CRLs, the TCB signing certificate). */
    PrivateKey rootKey() {
        return PemFiles.readPrivateKey(dir.resolve(ROOT_KEY));
    }

    /** The PCK Platform CA's key, which signs the PCK CRL. */
    PrivateKey platformCaKey() {
        return PemFiles.readPrivateKey(dir.resolve(CA_KEY));
    }

    byte[] reportMacKey() {
        return reportMacKey.clone();
    }

    Bytes qeId() {
        return qeId;
    }

    private static List<String> readLines(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            if (lines.size() < 2) {
                throw new IOException("expected 2 lines");
            }
            return lines;
        } catch (IOException e) {
            throw PemFiles.corrupt(file, e);
        }
    }

    private static byte[] hex(Path file, String line, int length) {
        try {
            byte[] b = HexFormat.of().parseHex(line.strip());
            if (b.length != length) {
                throw new IllegalArgumentException("length " + b.length);
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw PemFiles.corrupt(file, e);
        }
    }
}
