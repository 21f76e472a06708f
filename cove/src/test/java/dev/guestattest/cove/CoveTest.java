// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove;

import dev.guestattest.core.pki.Pem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.cove.verify.CoveVerifier;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.cove.abi.DiceTcbInfo;
import dev.guestattest.cove.verify.CoveEvidenceVerifier;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoveTest {
    @TempDir
    Path state;

    private byte[] evidence(ProviderContext ctx, byte[] challenge) {
        try (ProviderSession s = ProviderSession.open(Optional.of("cove/emulated"), ctx)) {
            return s.report(ReportRequest.of(challenge)).outblob().toArray();
        }
    }

    @Test
    void theDiceChainVerifiesToTheEmulatedRootWithChallengeKeyAndRuntimeRegisters() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        Bytes d = Bytes.of(HashAlgorithm.SHA384.hash("app".getBytes()));
        tsm.extend("rmr2", d);
        byte[] challenge = new byte[64];
        challenge[5] = 9;
        byte[] ev = evidence(ctx, challenge);
        CoveVerifier.Result r = CoveVerifier.verify(ev, List.of(tsm.rootCertificate()), Optional.of(tsm.tvmPublicKey()), Instant.now());
        assertThat(r.result().failures()).isEmpty();
        assertThat(r.result().checks()).extracting(Check::name).containsExactly("evidence.format", "dice.chain", "dice.validity",
                "tvm.certificate", "tvm.public_key");
        assertThat(r.claims().orElseThrow().common().reportData()).as("the challenge the appraiser judges").isEqualTo(Bytes.of(challenge));
        assertThat(r.claims().orElseThrow().layers()).extracting(l -> l.model().orElseThrow()).containsExactly("TSM-driver", "TSM", "TVM");
        assertThat(r.claims().orElseThrow().tvmRuntimeMeasurements().get(2).toArray())
                .isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], d.toArray()));
        var common = r.claims().orElseThrow().common();
        assertThat(common.tee()).isEqualTo("cove");
        assertThat(common.initialMeasurement()).contains(tsm.read("initial"));
        assertThat(common.initialMeasurement().orElseThrow().toArray()).hasSize(48).isNotEqualTo(new byte[48]);
        assertThat(common.runtimeRegisters()).containsOnlyKeys("rmr0", "rmr1", "rmr2", "rmr3");
        assertThat(common.runtimeRegisters().get("rmr2").toArray()).isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], d.toArray()));
        assertThat(common.reportData()).isEqualTo(Bytes.of(challenge));
    }

    @Test
    void anotherRootChallengeOrKeyFails() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        byte[] ev = evidence(ctx, new byte[64]);
        EmulatedTsm other = EmulatedTsm.open(ProviderContext.defaults().withStateDir(state.resolve("other")));
        assertThat(CoveVerifier.verify(ev, List.of(other.rootCertificate()), Optional.empty(), Instant.now()).result()
                .failures()).extracting(Check::name).containsExactly("dice.chain");
        assertThat(CoveVerifier.verify(ev, List.of(tsm.rootCertificate()), Optional.of(other.tvmPublicKey()), Instant.now()).result().failures())
                .extracting(Check::name).containsExactly("tvm.public_key");
        byte[] bent = ev.clone();
        bent[200] ^= 1;
        assertThat(CoveVerifier.verify(bent, List.of(tsm.rootCertificate()), Optional.empty(), Instant.now()).trusted())
                .isFalse();
    }

    /**
     * The attack: the guest holds the key its TSM certified, so it signs a child certificate of its
     * own choosing (another measurement, any challenge) under the TVM's certificate.
     */
    @Test
    void aChildCertificateSignedWithTheTvmsOwnKeyIsRefused() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair guest = g.generateKeyPair();
        Path pub = state.resolve("guest.pub");
        PemFiles.writePublicKey(pub, guest.getPublic());
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state).withSetting("cove.tvm-public-key", pub.toString());
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        byte[] honest = evidence(ctx, new byte[64]);
        X509Certificate tvm = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(honest));
        Bytes chosenMeasurement = Bytes.of(HashAlgorithm.SHA384.hash("another workload".getBytes()));
        byte[] c = new byte[64];
        c[0] = 7;
        Bytes chosenChallenge = Bytes.of(c);
        var child = new JcaX509v3CertificateBuilder(X500Name.getInstance(tvm.getSubjectX500Principal().getEncoded()), BigInteger.TEN,
                tvm.getNotBefore(), tvm.getNotAfter(), new X500Name("CN=forged TVM"), g.generateKeyPair().getPublic());
        child.addExtension(new ASN1ObjectIdentifier(DiceTcbInfo.OID), true, new DiceTcbInfo(Optional.of("GuestAttest"), Optional.of("TVM"),
                Optional.empty(), Optional.of(4), List.of(chosenMeasurement)).encode());
        child.addExtension(new ASN1ObjectIdentifier(DiceTcbInfo.FRESHNESS_OID), false, DiceTcbInfo.encodeFreshness(chosenChallenge));
        X509Certificate forged = new JcaX509CertificateConverter().getCertificate(child.build(
                new JcaContentSignerBuilder("SHA384withECDSA").build(guest.getPrivate())));
        byte[] attack = (Pem.encode("CERTIFICATE", forged.getEncoded()) + new String(honest, StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);

        CoveVerifier.Result r = CoveVerifier.verify(attack, List.of(tsm.rootCertificate()), Optional.empty(),
                Instant.now());
        assertThat(r.trusted()).isFalse();
        assertThat(r.result().failures()).extracting(Check::name).contains("dice.chain");
        assertThat(r.result().failures().get(0).detail()).contains("certificate chain").contains("keyCertSign");
        var appraised = new CoveEvidenceVerifier().verify(dev.guestattest.core.verify.Evidence.of(Bytes.of(attack), java.util.Map.of()),
                Instant.now(), List.of(tsm.rootCertificate()));
        assertThat(appraised.result().trusted()).isFalse();
    }

    @Test
    void trailingBytesAndMalformedDiceExtensionsAreTypedFormatFailures() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        byte[] ev = evidence(ctx, new byte[64]);
        byte[] trailing = java.util.Arrays.copyOf(ev, ev.length + 3);
        trailing[ev.length] = 'x';
        CoveVerifier.Result r = CoveVerifier.verify(trailing, List.of(tsm.rootCertificate()), Optional.empty(), Instant.now());
        assertThat(r.result().failures()).extracting(Check::name).containsExactly("evidence.format");
        assertThat(r.result().failures().get(0).detail()).contains("unexpected bytes");
    }
}
