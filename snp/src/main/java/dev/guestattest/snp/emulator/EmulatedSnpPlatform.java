// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.StateLock;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * An emulated AMD secure processor ("chip") and its AMD-shaped PKI, persisted in a state directory:
 * the ARK, ASK and ASVK (RSA-4096), a CHIP_ID and a chip secret from which every VCEK (P-384, one
 * per TCB), the VLEK and derived keys follow deterministically. Created once under a file lock.
 */
public final class EmulatedSnpPlatform {
    /** The emulated chip's TCB (Milan layout: BL 3, TEE 0, SNP 8, microcode 115) and firmware 1.55 build 21. */
    public static final TcbVersion TCB = TcbVersion.of(TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(0, 3, 0, 8, 115));
    public static final AttestationReport.Firmware FIRMWARE = new AttestationReport.Firmware(1, 55, 21);
    private static final X9ECParameters P384 = CustomNamedCurves.getByName("secp384r1");
    private static final String SECRETS = "chip.secret";

    private final Path dir;
    private final X509Certificate ark;
    private final X509Certificate ask;
    private final X509Certificate asvk;
    private final Bytes chipId;
    private final byte[] secret;

    private EmulatedSnpPlatform(Path dir) {
        this.dir = dir;
        this.ark = PemFiles.readCertificate(dir.resolve("ark.pem"));
        this.ask = PemFiles.readCertificate(dir.resolve("ask.pem"));
        this.asvk = PemFiles.readCertificate(dir.resolve("asvk.pem"));
        try {
            List<String> lines = Files.readAllLines(dir.resolve(SECRETS), StandardCharsets.US_ASCII);
            this.chipId = Bytes.of(HexFormat.of().parseHex(lines.get(0).strip())).checkLength("chip id", 64);
            this.secret = HexFormat.of().parseHex(lines.get(1).strip());
        } catch (IOException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw PemFiles.corrupt(dir.resolve(SECRETS), e);
        }
    }

    /** Loads the chip in {@code dir}, creating it (three RSA-4096 keys: a few seconds) the first time. */
    public static EmulatedSnpPlatform open(Path dir, SecureRandom random, Clock clock) {
        PemFiles.ensureDirectory(dir);
        return StateLock.with(dir, () -> {
            if (!Files.exists(dir.resolve(SECRETS))) {
                create(dir, random, clock);
            }
            return new EmulatedSnpPlatform(dir);
        });
    }

    private static void create(Path dir, SecureRandom random, Clock clock) {
        var now = clock.instant();
        KeyPair arkKey = AmdCertificates.rsa4096(random);
        KeyPair askKey = AmdCertificates.rsa4096(random);
        KeyPair asvkKey = AmdCertificates.rsa4096(random);
        X509Certificate ark = AmdCertificates.ark(arkKey, now);
        PemFiles.writePrivateKey(dir.resolve("ark.key"), arkKey.getPrivate());
        PemFiles.writeCertificate(dir.resolve("ark.pem"), ark);
        PemFiles.writePrivateKey(dir.resolve("ask.key"), askKey.getPrivate());
        PemFiles.writeCertificate(dir.resolve("ask.pem"), AmdCertificates.ask(askKey, ark, arkKey.getPrivate(), now, false));
        PemFiles.writePrivateKey(dir.resolve("asvk.key"), asvkKey.getPrivate());
        PemFiles.writeCertificate(dir.resolve("asvk.pem"), AmdCertificates.ask(asvkKey, ark, arkKey.getPrivate(), now, true));
        byte[] chip = new byte[64];
        byte[] s = new byte[32];
        random.nextBytes(chip);
        random.nextBytes(s);
        PemFiles.writeAtomically(dir.resolve(SECRETS), (HexFormat.of().formatHex(chip) + "\n" + HexFormat.of().formatHex(s) + "\n")
                .getBytes(StandardCharsets.US_ASCII), true);
    }

    public Path directory() {
        return dir;
    }

    public Bytes chipId() {
        return chipId;
    }

    /** The emulated ARK: pass it to a verifier as a trusted root. */
    public X509Certificate arkCertificate() {
        return ark;
    }

    public X509Certificate askCertificate() {
        return ask;
    }

    public X509Certificate asvkCertificate() {
        return asvk;
    }

    /** A signing key and its certificate: the VCEK for a TCB, or the VLEK. */
    record SigningKeyPair(PrivateKey key, X509Certificate certificate) {
    }

    /** The VCEK (or VLEK) for {@code tcb}: the key from the chip secret, the certificate issued once and kept. */
    SigningKeyPair signingKey(TcbVersion tcb, boolean vlek, Clock clock) {
        String label = (vlek ? "vlek-" : "vcek-") + String.format("%016x", tcb.raw());
        BigInteger d = scalar(label);
        Path certFile = dir.resolve(label + ".pem");
        X509Certificate cert = StateLock.with(dir, () -> {
            if (!Files.exists(certFile)) {
                PrivateKey issuerKey = PemFiles.readPrivateKey(dir.resolve(vlek ? "asvk.key" : "ask.key"), "RSA");
                PemFiles.writeCertificate(certFile, AmdCertificates.signingKey(publicKey(d), vlek ? asvk : ask, issuerKey, tcb,
                        chipId.toArray(), vlek, clock.instant()));
            }
            return PemFiles.readCertificate(certFile);
        });
        return new SigningKeyPair(privateKey(d), cert);
    }

    /** HMAC-SHA-384 of the chip secret: the root of every key this chip derives. */
    byte[] derive(byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA384");
            mac.init(new SecretKeySpec(secret, "HmacSHA384"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA384 is mandatory in every JDK", e);
        }
    }

    private BigInteger scalar(String label) {
        BigInteger n = P384.getN();
        byte[] a = derive((label + ":a").getBytes(StandardCharsets.US_ASCII));
        byte[] b = derive((label + ":b").getBytes(StandardCharsets.US_ASCII));
        byte[] wide = ByteBuffer.allocate(a.length + b.length).order(ByteOrder.BIG_ENDIAN).put(a).put(b).array();
        return new BigInteger(1, wide).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
    }

    private static ECParameterSpec spec() throws GeneralSecurityException {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp384r1"));
        return p.getParameterSpec(ECParameterSpec.class);
    }

    private static PrivateKey privateKey(BigInteger d) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, spec()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.security.PublicKey publicKey(BigInteger d) {
        try {
            org.bouncycastle.math.ec.ECPoint q = new FixedPointCombMultiplier().multiply(P384.getG(), d).normalize();
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(q.getAffineXCoord().toBigInteger(),
                    q.getAffineYCoord().toBigInteger()), spec()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
