// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.verify.Check;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpVerifier;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whoever holds a VCEK's key cannot certify a "VCEK" of their own under it: a VCEK is no CA. */
class SigningKeyChainAttackTest {
    @TempDir
    Path state;

    @Test
    void aCertificateSignedWithTheVceksKeyIsRefused() throws Exception {
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(ProviderContext.defaults().withStateDir(state)).chip();
        EmulatedSnpPlatform.SigningKeyPair vcek = chip.signingKey(EmulatedSnpPlatform.TCB, false, Clock.systemUTC());
        X509Certificate real = vcek.certificate();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        var b = new JcaX509v3CertificateBuilder(real.getSubjectX500Principal(), BigInteger.TEN, real.getNotBefore(), real.getNotAfter(),
                real.getSubjectX500Principal(), g.generateKeyPair().getPublic());
        for (String oid : real.getNonCriticalExtensionOIDs()) {
            if (oid.startsWith("1.3.6.1.4.1.3704.")) {
                b.addExtension(new ASN1ObjectIdentifier(oid), false, ASN1OctetString.getInstance(real.getExtensionValue(oid)).getOctets());
            }
        }
        X509Certificate forged = new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder("SHA384withECDSA").build(vcek.key())));
        SnpVerifier verifier = SnpVerifier.builder().roots(AmdRoots.amd().plus(chip.arkCertificate(), List.of(chip.askCertificate()))).build();

        assertThat(verifier.verifyChain(new SnpCertificates(real, Optional.of(chip.askCertificate()), Optional.of(chip.arkCertificate())))
                .trusted()).isTrue();
        var attack = verifier.verifyChain(new SnpCertificates(forged, Optional.of(real), Optional.of(chip.askCertificate())));
        assertThat(attack.trusted()).isFalse();
        assertThat(attack.failures()).extracting(Check::name).contains("chain");
    }
}
