// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the emulator's PKI in the shape of Intel's: a self-signed root, a "PCK Platform CA" and
 * a PCK leaf carrying the SGX extensions (OID 1.2.840.113741.1.13.1, formats.md §1.6), all P-256
 * signed with SHA256withECDSA.
 */
final class PckCertificates {
    static final ASN1ObjectIdentifier SGX_EXTENSIONS = new ASN1ObjectIdentifier("1.2.840.113741.1.13.1");
    /** basicConstraints path length of a certificate that may issue none: as Intel's, the root allows one CA below it. */
    private static final int END_ENTITY = -1;

    private PckCertificates() {
    }

    static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is mandatory in every JDK", e);
        }
    }

    static X509Certificate root(KeyPair key, Instant now, SecureRandom random) {
        X500Name name = new X500Name("CN=GuestAttest Emulated SGX Root CA,O=GuestAttest Emulator,C=ZZ");
        return issue(name, key.getPublic(), name, key.getPrivate(), now, Duration.ofDays(365L * 30), 1, null, random);
    }

    static X509Certificate platformCa(KeyPair key, X509Certificate root, PrivateKey rootKey, Instant now, SecureRandom random) {
        return issue(new X500Name("CN=GuestAttest Emulated SGX PCK Platform CA,O=GuestAttest Emulator,C=ZZ"), key.getPublic(),
                X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), rootKey, now, Duration.ofDays(365L * 15),
                0, null, random);
    }

    static X509Certificate pck(KeyPair key, X509Certificate ca, PrivateKey caKey, PlatformTcb tcb, byte[] ppid,
                               Instant now, SecureRandom random) {
        return issue(new X500Name("CN=GuestAttest Emulated SGX PCK Certificate,O=GuestAttest Emulator,C=ZZ"), key.getPublic(),
                X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), caKey, now, Duration.ofDays(365L * 7),
                END_ENTITY, sgxExtensions(tcb, ppid), random);
    }

    /** Intel's "SGX TCB Signing" counterpart: signs the emulator's TCB Info and QE Identity. */
    static X509Certificate tcbSigning(KeyPair key, X509Certificate root, PrivateKey rootKey, Instant now, SecureRandom random) {
        return issue(new X500Name("CN=GuestAttest Emulated SGX TCB Signing,O=GuestAttest Emulator,C=ZZ"), key.getPublic(),
                X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), rootKey, now, Duration.ofDays(365L * 7),
                END_ENTITY, null, random);
    }

    /** A CRL of {@code issuer}, revoking {@code revoked} serials, fresh from {@code thisUpdate} to {@code nextUpdate}. */
    static byte[] crl(X509Certificate issuer, PrivateKey issuerKey, Instant thisUpdate, Instant nextUpdate, List<BigInteger> revoked) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                    Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            for (BigInteger serial : revoked) {
                b.addCRLEntry(serial, Date.from(thisUpdate), CRLReason.keyCompromise);
            }
            return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)).getEncoded();
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("issuing an emulator CRL failed", e);
        }
    }

    /** The SGX extension value: a SEQUENCE of (OID, value) pairs. */
    static DERSequence sgxExtensions(PlatformTcb tcb, byte[] ppid) {
        String base = SGX_EXTENSIONS.getId();
        ASN1EncodableVector tcbVector = new ASN1EncodableVector();
        for (int i = 0; i < 16; i++) {
            tcbVector.add(pair(base + ".2." + (i + 1), new ASN1Integer(tcb.sgxTcbComponents().get(i))));
        }
        tcbVector.add(pair(base + ".2.17", new ASN1Integer(tcb.pceSvn())));
        tcbVector.add(pair(base + ".2.18", new DEROctetString(tcb.cpuSvn().toArray())));
        ASN1EncodableVector all = new ASN1EncodableVector();
        all.add(pair(base + ".1", new DEROctetString(ppid)));
        all.add(pair(base + ".2", new DERSequence(tcbVector)));
        all.add(pair(base + ".3", new DEROctetString(tcb.pceId().toArray())));
        all.add(pair(base + ".4", new DEROctetString(tcb.fmspc().toArray())));
        all.add(pair(base + ".5", new ASN1Enumerated(0)));
        return new DERSequence(all);
    }

    private static DERSequence pair(String oid, org.bouncycastle.asn1.ASN1Encodable value) {
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
    }

    private static X509Certificate issue(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
                                         Instant now, Duration validity, int pathLen, DERSequence sgx, SecureRandom random) {
        boolean ca = pathLen != END_ENTITY;
        try {
            Instant notBefore = now.minus(Duration.ofDays(1));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, subjectKey);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(pathLen) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
            if (sgx != null) {
                b.addExtension(Extension.create(SGX_EXTENSIONS, false, sgx));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("issuing an emulator certificate failed", e);
        }
    }
}
