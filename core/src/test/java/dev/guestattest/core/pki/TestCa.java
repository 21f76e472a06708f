// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.pki;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Issues test certificates with exactly the extensions an attack needs. */
record TestCa(String name, KeyPair keys, X509Certificate cert) {
    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant UNTIL = Instant.parse("2036-01-01T00:00:00Z");
    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** How a certificate is made: CA flag and path length (-1: end entity; null: no basicConstraints), key usage, extras. */
    record Spec(Integer pathLen, Integer keyUsage, String criticalOid, Instant from, Instant until) {
        static Spec ca(int pathLen) {
            return new Spec(pathLen, KeyUsage.keyCertSign | KeyUsage.cRLSign, null, FROM, UNTIL);
        }

        static Spec leaf() {
            return new Spec(-1, KeyUsage.digitalSignature, null, FROM, UNTIL);
        }

        Spec keyUsage(Integer ku) {
            return new Spec(pathLen, ku, criticalOid, from, until);
        }

        Spec critical(String oid) {
            return new Spec(pathLen, keyUsage, oid, from, until);
        }

        Spec until(Instant u) {
            return new Spec(pathLen, keyUsage, criticalOid, from, u);
        }
    }

    static TestCa root(String name, Spec spec) {
        KeyPair k = newKeys();
        return new TestCa(name, k, issue(name, k.getPublic(), name, k, spec));
    }

    TestCa issueCa(String subject, Spec spec) {
        KeyPair k = newKeys();
        return new TestCa(subject, k, issue(subject, k.getPublic(), name, keys, spec));
    }

    X509Certificate issueLeaf(String subject, PublicKey key, Spec spec) {
        return issue(subject, key, name, keys, spec);
    }

    static KeyPair newKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate issue(String subject, PublicKey key, String issuer, KeyPair issuerKeys, Spec spec) {
        try {
            var b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuer), BigInteger.valueOf(SERIAL.getAndIncrement()),
                    Date.from(spec.from()), Date.from(spec.until()), new X500Name("CN=" + subject), key);
            if (spec.pathLen() != null) {
                b.addExtension(Extension.basicConstraints, true, spec.pathLen() < 0 ? new BasicConstraints(false)
                        : new BasicConstraints(spec.pathLen()));
            }
            if (spec.keyUsage() != null) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(spec.keyUsage()));
            }
            if (spec.criticalOid() != null) {
                b.addExtension(new ASN1ObjectIdentifier(spec.criticalOid()), true, DERNull.INSTANCE);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
