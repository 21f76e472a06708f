// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AMD extensions in a guest-supplied certificate are untrusted until the chain checks out: each malformation is a typed error. */
class MalformedVcekTest {
    private static X509Certificate withProductName(byte[] rawExtensionValue) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair k = g.generateKeyPair();
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=SEV-Milan"), BigInteger.ONE, Date.from(Instant.EPOCH),
                Date.from(Instant.parse("2100-01-01T00:00:00Z")), new X500Name("CN=SEV-VCEK"), k.getPublic());
        b.addExtension(new Extension(new ASN1ObjectIdentifier(VcekExtensions.PREFIX + "2"), false, rawExtensionValue));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(k.getPrivate())));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"empty", "truncated", "integer", "nested-garbage"})
    void malformedAmdExtensionsAreTypedErrors(String kind) throws Exception {
        byte[] value = switch (kind) {
            case "empty" -> new byte[0];
            case "truncated" -> new byte[] {0x16, 0x05, 'M', 'i'};
            case "integer" -> new byte[] {0x02, 0x01, 0x07};
            default -> new byte[] {0x30, (byte) 0x80, 0x00};
        };
        assertThatThrownBy(() -> VcekExtensions.of(withProductName(value))).isInstanceOf(AttestationException.class)
                .hasMessageContaining(VcekExtensions.PREFIX + "2");
        // a well-formed name passes that field and stops at the next missing one
        assertThatThrownBy(() -> VcekExtensions.of(withProductName(new DERIA5String("Milan-B0").getEncoded())))
                .hasMessageContaining("blSPL");
    }
}
