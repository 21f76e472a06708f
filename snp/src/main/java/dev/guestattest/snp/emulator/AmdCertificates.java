// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.snp.abi.TcbVersion;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
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
 * The emulator's AMD-shaped PKI: an ARK and ASK/ASVK with RSA-4096 keys signing with RSASSA-PSS
 * (SHA-384, MGF1-SHA-384, salt 48), and VCEK/VLEK certificates for P-384 keys carrying AMD's
 * extensions (structVersion, productName, SPLs, hwID as raw bytes, cspId for VLEKs).
 */
final class AmdCertificates {
    static final String PRODUCT = "Milan";
    static final String PRODUCT_NAME = "Milan-B0";
    private static final String ORG = ",O=GuestAttest Emulator,C=ZZ";
    private static final String EXT = "1.3.6.1.4.1.3704.1.";
    /** PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt, as AMD signs. */
    private static final String PSS = "SHA384withRSAandMGF1";
    /** The JDK names PSS only as "RSASSA-PSS" with parameters; Bouncy Castle's signer builder needs its own provider. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private AmdCertificates() {
    }

    static KeyPair rsa4096(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(4096, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is mandatory in every JDK", e);
        }
    }

    static X509Certificate ark(KeyPair key, Instant now) {
        X500Name name = new X500Name("CN=ARK-" + PRODUCT + ORG);
        return issue(name, key.getPublic(), name, key.getPrivate(), now, Duration.ofDays(365L * 25), true, BigInteger.ONE, null);
    }

    static X509Certificate ask(KeyPair key, X509Certificate ark, PrivateKey arkKey, Instant now, boolean vlek) {
        return issue(new X500Name("CN=" + (vlek ? "SEV-VLEK-" : "SEV-") + PRODUCT + ORG), key.getPublic(), name(ark), arkKey, now,
                Duration.ofDays(365L * 25), true, vlek ? BigInteger.valueOf(3) : BigInteger.TWO, null);
    }

    /** A VCEK (serial 0, like AMD's) or VLEK for {@code tcb}; hwID only for VCEKs, cspId only for VLEKs. */
    static X509Certificate signingKey(PublicKey key, X509Certificate issuer, PrivateKey issuerKey, TcbVersion tcb, byte[] chipId,
                                      boolean vlek, Instant now) {
        TcbVersion.Parts p = tcb.parts(TcbVersion.Layout.MILAN_GENOA);
        return issue(new X500Name("CN=" + (vlek ? "SEV-VLEK" : "SEV-VCEK") + ORG), key, name(issuer), issuerKey, now,
                Duration.ofDays(365L * 7), false, BigInteger.ZERO, b -> {
                    b.addExtension(new ASN1ObjectIdentifier(EXT + "1"), false, new ASN1Integer(0));
                    b.addExtension(new ASN1ObjectIdentifier(EXT + "2"), false, new DERIA5String(vlek ? PRODUCT : PRODUCT_NAME));
                    b.addExtension(new ASN1ObjectIdentifier(EXT + "3.1"), false, new ASN1Integer(p.bootLoader()));
                    b.addExtension(new ASN1ObjectIdentifier(EXT + "3.2"), false, new ASN1Integer(p.tee()));
                    b.addExtension(new ASN1ObjectIdentifier(EXT + "3.3"), false, new ASN1Integer(p.snp()));
                    for (int i = 4; i <= 7; i++) {
                        b.addExtension(new ASN1ObjectIdentifier(EXT + "3." + i), false, new ASN1Integer(0));
                    }
                    b.addExtension(new ASN1ObjectIdentifier(EXT + "3.8"), false, new ASN1Integer(p.microcode()));
                    if (vlek) {
                        b.addExtension(new ASN1ObjectIdentifier(EXT + "5"), false, new DERIA5String("CN=emulated-csp.guestattest.dev"));
                    } else {
                        b.addExtension(new ASN1ObjectIdentifier(EXT + "4"), false, chipId); // raw bytes, not a nested OCTET STRING
                    }
                });
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder b) throws java.io.IOException;
    }

    /** A CRL of the ARK revoking nothing, signed as the ARK signs its certificates. */
    static byte[] crl(X509Certificate ark, PrivateKey arkKey, Instant thisUpdate, Instant nextUpdate) {
        try {
            org.bouncycastle.cert.X509v2CRLBuilder b = new org.bouncycastle.cert.X509v2CRLBuilder(name(ark), Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            return b.build(new JcaContentSignerBuilder(PSS).setProvider(BC).build(arkKey)).getEncoded();
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("issuing the emulated ARK's CRL failed", e);
        }
    }

    private static X500Name name(X509Certificate c) {
        return X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
    }

    private static X509Certificate issue(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey, Instant now,
                                         Duration validity, boolean ca, BigInteger serial, Extensions extensions) {
        try {
            Instant notBefore = now.minus(Duration.ofDays(1));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                    Date.from(notBefore.plus(validity)), subject, subjectKey);
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(1) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (extensions != null) {
                extensions.add(b);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(PSS).setProvider(BC).build(issuerKey)));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("issuing an emulator certificate failed", e);
        }
    }
}
