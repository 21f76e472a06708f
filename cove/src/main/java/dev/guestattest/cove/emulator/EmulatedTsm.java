// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove.emulator;

import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.EmulatedRegisters;
import dev.guestattest.core.state.StateLock;
import dev.guestattest.cove.abi.DiceTcbInfo;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code cove/emulated}: a TVM on an emulated CoVE TSM, DICE-layered in {@code <state dir>/cove}:
 * a self-signed DICE root (the hardware RoT, the trust anchor) certifies the TSM-driver layer, which
 * certifies the TSM layer, which certifies the TVM's public key in the attestation certificate with
 * the TVM's initial measurement and runtime registers as TcbInfo FWIDs and the challenge in
 * TcbFreshness. Each layer's key is derived from the one below and the layer's measurement, as
 * CDI_N = KDF(CDI_{N-1} || H(layer N)). Inblob = the 64-byte challenge; the TVM's public key comes
 * from setting {@code cove.tvm-public-key} (a PEM file), else the emulator's own TVM key.
 * The outblob is the PEM chain, TVM certificate first.
 */
public final class EmulatedTsm implements ReportProvider, MeasurementRegisters {
    public static final String NAME = "cove/emulated";
    public static final InputRules INPUT = InputRules.exactly(64, false, false);
    static final Bytes TSM_DRIVER = Bytes.of(HashAlgorithm.SHA384.hash("GuestAttest emulated TSM-driver".getBytes(StandardCharsets.US_ASCII)));
    static final Bytes TSM = Bytes.of(HashAlgorithm.SHA384.hash("GuestAttest emulated TSM".getBytes(StandardCharsets.US_ASCII)));
    static final Bytes TVM_INITIAL = Bytes.of(HashAlgorithm.SHA384.hash("GuestAttest emulated TVM image".getBytes(StandardCharsets.US_ASCII)));

    private static final int END_ENTITY = -1;
    private static final X500Name ROOT_NAME = new X500Name("CN=GuestAttest Emulated DICE Root,O=GuestAttest Emulator");

    private final Path dir;
    private final EmulatedRegisters registers;
    private final KeyPair root;
    private final X509Certificate rootCert;
    private final Optional<PublicKey> tvmKey;
    private final KeyPair ownTvm;

    private EmulatedTsm(Path dir, KeyPair root, X509Certificate rootCert, Optional<PublicKey> tvmKey, KeyPair ownTvm) {
        this.dir = dir;
        this.registers = registers(dir);
        this.root = root;
        this.rootCert = rootCert;
        this.tvmKey = tvmKey;
        this.ownTvm = ownTvm;
    }

    public static EmulatedTsm open(ProviderContext c) {
        Path dir = c.stateDir().resolve("cove");
        PemFiles.ensureDirectory(dir);
        return StateLock.with(dir, () -> {
            if (!Files.exists(dir.resolve("dice-root.key"))) {
                KeyPair k = p384(c);
                PemFiles.writePrivateKey(dir.resolve("dice-root.key"), k.getPrivate());
                PemFiles.writePublicKey(dir.resolve("dice-root.pub"), k.getPublic());
                KeyPair tvm = p384(c);
                PemFiles.writePrivateKey(dir.resolve("tvm.key"), tvm.getPrivate());
                PemFiles.writePublicKey(dir.resolve("tvm.pub"), tvm.getPublic());
                registers(dir).createIfAbsent();
            }
            KeyPair root = new KeyPair(PemFiles.readPublicKey(dir.resolve("dice-root.pub")), PemFiles.readPrivateKey(dir.resolve("dice-root.key")));
            // Roots issued before path lengths were set (pathLen 0) cannot anchor three layers: reissue them, same key.
            if (!Files.exists(dir.resolve("dice-root.pem")) || PemFiles.readCertificate(dir.resolve("dice-root.pem")).getBasicConstraints() < 2) {
                PemFiles.writeCertificate(dir.resolve("dice-root.pem"), issue(ROOT_NAME, root.getPublic(), ROOT_NAME, root.getPrivate(), 2,
                        Optional.empty(), Optional.empty()));
            }
            Optional<PublicKey> tvm = c.setting("cove.tvm-public-key").map(p -> PemFiles.readPublicKey(Path.of(p)));
            KeyPair own = new KeyPair(PemFiles.readPublicKey(dir.resolve("tvm.pub")), PemFiles.readPrivateKey(dir.resolve("tvm.key")));
            return new EmulatedTsm(dir, root, PemFiles.readCertificate(dir.resolve("dice-root.pem")), tvm, own);
        });
    }

    /** The DICE root certificate: the trust anchor a verifier takes. */
    public X509Certificate rootCertificate() {
        return rootCert;
    }

    public PublicKey tvmPublicKey() {
        return tvmKey.orElse(ownTvm.getPublic());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public InputRules inputRules() {
        return INPUT;
    }

    @Override
    public Optional<MeasurementRegisters> measurementRegisters() {
        return Optional.of(this);
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        KeyPair driver = derived(root.getPrivate(), TSM_DRIVER);
        KeyPair tsm = derived(driver.getPrivate(), TSM);
        X500Name rootName = X500Name.getInstance(rootCert.getSubjectX500Principal().getEncoded());
        X500Name driverName = new X500Name("CN=" + cdiId(driver.getPublic()) + ",O=GuestAttest Emulated TSM-driver");
        X500Name tsmName = new X500Name("CN=" + cdiId(tsm.getPublic()) + ",O=GuestAttest Emulated TSM");
        X509Certificate driverCert = issue(driverName, driver.getPublic(), rootName, root.getPrivate(), 1,
                Optional.of(new DiceTcbInfo(Optional.of("GuestAttest"), Optional.of("TSM-driver"), Optional.of(1), Optional.of(1), List.of(TSM_DRIVER))),
                Optional.empty());
        X509Certificate tsmCert = issue(tsmName, tsm.getPublic(), driverName, driver.getPrivate(), 0,
                Optional.of(new DiceTcbInfo(Optional.of("GuestAttest"), Optional.of("TSM"), Optional.of(1), Optional.of(2), List.of(TSM))),
                Optional.empty());
        List<Bytes> fwids = new ArrayList<>(List.of(TVM_INITIAL));
        fwids.addAll(rmrs());
        X509Certificate tvmCert = issue(new X500Name("CN=" + cdiId(tvmPublicKey()) + ",O=GuestAttest Emulated TVM"), tvmPublicKey(), tsmName,
                tsm.getPrivate(), END_ENTITY, Optional.of(new DiceTcbInfo(Optional.of("GuestAttest"), Optional.of("TVM"), Optional.empty(),
                        Optional.of(3), fwids)), Optional.of(request.inblob()));
        try {
            String pem = Pem.encode("CERTIFICATE", tvmCert.getEncoded()) + Pem.encode("CERTIFICATE", tsmCert.getEncoded())
                    + Pem.encode("CERTIFICATE", driverCert.getEncoded());
            return ReportBlobs.of(pem.getBytes(StandardCharsets.US_ASCII));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<MeasurementRegister> registers() {
        return registers.registers();
    }

    @Override
    public Bytes read(String name) {
        return registers.read(name);
    }

    @Override
    public Bytes extend(String name, Bytes digest) {
        return registers.extend(name, digest);
    }

    private static EmulatedRegisters registers(Path dir) {
        return new EmulatedRegisters(dir, "rmrs", HashAlgorithm.SHA384, "initial", TVM_INITIAL, "rmr", 4);
    }

    private List<Bytes> rmrs() {
        return registers.runtime();
    }

    /** The next layer's key: a P-384 scalar from SHA-512(CDI key || layer measurement), deterministic per layer. */
    private static KeyPair derived(PrivateKey cdi, Bytes measurement) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-512");
            d.update(cdi.getEncoded());
            d.update(measurement.toArray());
            var curve = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp384r1");
            BigInteger s = new BigInteger(1, d.digest()).mod(curve.getN().subtract(BigInteger.ONE)).add(BigInteger.ONE);
            var q = new org.bouncycastle.math.ec.FixedPointCombMultiplier().multiply(curve.getG(), s).normalize();
            var params = java.security.AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp384r1"));
            var spec = params.getParameterSpec(java.security.spec.ECParameterSpec.class);
            var kf = java.security.KeyFactory.getInstance("EC");
            return new KeyPair(kf.generatePublic(new java.security.spec.ECPublicKeySpec(new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), spec)),
                    kf.generatePrivate(new java.security.spec.ECPrivateKeySpec(s, spec)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CDI_ID: the first 20 bytes of SHA-256 of the public key, lowercase hex, as DICE names certificates. */
    static String cdiId(PublicKey k) {
        return HexFormat.of().formatHex(HashAlgorithm.SHA256.hash(k.getEncoded()), 0, 20);
    }

    private static KeyPair p384(ProviderContext c) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"), c.random());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A DICE layer certificate. {@code pathLen} is how many CA layers may follow below this one
     * ({@link #END_ENTITY} for the TVM's certificate, which may certify nothing).
     */
    private static X509Certificate issue(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey, int pathLen,
                                         Optional<DiceTcbInfo> tcb, Optional<Bytes> nonce) {
        try {
            Instant now = Instant.now().minusSeconds(60);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new java.security.SecureRandom()).add(BigInteger.ONE),
                    Date.from(now), Date.from(Instant.parse("9999-12-31T23:59:59Z")), subject, key);
            b.addExtension(Extension.basicConstraints, true, pathLen == END_ENTITY ? new BasicConstraints(false) : new BasicConstraints(pathLen));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(pathLen == END_ENTITY ? KeyUsage.digitalSignature : KeyUsage.keyCertSign));
            if (tcb.isPresent()) {
                b.addExtension(new ASN1ObjectIdentifier(DiceTcbInfo.OID), true, tcb.get().encode());
            }
            if (nonce.isPresent()) {
                b.addExtension(new ASN1ObjectIdentifier(DiceTcbInfo.FRESHNESS_OID), false, DiceTcbInfo.encodeFreshness(nonce.get()));
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(issuerKey)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw AttestationException.of(dev.guestattest.core.Reason.DEVICE_ERROR, "emulated TSM: cannot issue a certificate: " + e.getMessage());
        }
    }
}
