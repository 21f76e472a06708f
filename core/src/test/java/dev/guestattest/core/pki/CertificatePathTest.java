// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.pki.TestCa.Spec;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

/** Attacks on the one chain check every vendor uses. */
class CertificatePathTest {
    private static final Instant AT = Instant.parse("2027-01-01T00:00:00Z");
    private final TestCa root = TestCa.root("Root", Spec.ca(1));
    private final TestCa intermediate = root.issueCa("Intermediate", Spec.ca(0));
    private final TestCa.Spec leafSpec = Spec.leaf();

    private X509Certificate leaf(TestCa issuer) {
        return issuer.issueLeaf("Leaf", TestCa.newKeys().getPublic(), leafSpec);
    }

    @Test
    void aWellFormedChainValidatesWithOrWithoutTheRootsCopy() {
        X509Certificate leaf = leaf(intermediate);
        CertificatePath p = CertificatePath.validate(List.of(leaf, intermediate.cert()), List.of(root.cert()), Set.of());
        assertThat(p.anchor()).isEqualTo(root.cert());
        assertThat(p.validityProblem(AT)).isEmpty();
        assertThat(CertificatePath.validate(List.of(leaf, intermediate.cert(), root.cert()), List.of(root.cert()), Set.of()).leaf())
                .isEqualTo(leaf);
    }

    @Test
    void aCopyOfTheRootWithItsKeyButAnotherSignatureIsRefused() {
        X509Certificate leaf = leaf(intermediate);
        // the root's name and key, signed by the attacker: a "reissued root" that never was
        X509Certificate forgedCopy = TestCa.issue("Root", root.cert().getPublicKey(), "Root", TestCa.newKeys(), Spec.ca(1));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf, intermediate.cert(), forgedCopy), List.of(root.cert()), Set.of()))
                .isInstanceOf(AttestationException.class).hasMessageContaining("self-signature does not verify");
    }

    @Test
    void aChildSignedByTheLeafIsRefused() {
        var leafKeys = TestCa.newKeys();
        X509Certificate leaf = intermediate.issueLeaf("Leaf", leafKeys.getPublic(), leafSpec);
        X509Certificate child = TestCa.issue("Forged", TestCa.newKeys().getPublic(), "Leaf", leafKeys, Spec.leaf());
        assertThatThrownBy(() -> CertificatePath.validate(List.of(child, leaf, intermediate.cert()), List.of(root.cert()), Set.of()))
                .isInstanceOf(AttestationException.class).hasMessageContaining("certificate chain").hasMessageContaining("'Leaf'");
    }

    @Test
    void anIssuerWithoutBasicConstraintsIsRefused() {
        var keys = TestCa.newKeys();
        X509Certificate noBc = root.issueLeaf("NoBc", keys.getPublic(), new Spec(null, KeyUsage.keyCertSign, null, TestCa.FROM, TestCa.UNTIL));
        X509Certificate leaf = TestCa.issue("Leaf", TestCa.newKeys().getPublic(), "NoBc", keys, Spec.leaf());
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf, noBc), List.of(root.cert()), Set.of()))
                .hasMessageContaining("'NoBc'");
    }

    @Test
    void pathLengthIsEnforcedOnIntermediatesAndOnTheRoot() {
        TestCa second = intermediate.issueCa("Second", Spec.ca(0));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf(second), second.cert(), intermediate.cert()), List.of(root.cert()),
                Set.of())).isInstanceOf(AttestationException.class);
        TestCa tightRoot = TestCa.root("Tight", Spec.ca(0));
        TestCa mid = tightRoot.issueCa("Mid", Spec.ca(0));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf(mid), mid.cert()), List.of(tightRoot.cert()), Set.of()))
                .hasMessageContaining("pathLen");
    }

    @Test
    void anIssuerWhoseKeyUsageLacksKeyCertSignIsRefused() {
        TestCa signer = root.issueCa("Signer", Spec.ca(0).keyUsage(KeyUsage.digitalSignature));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf(signer), signer.cert()), List.of(root.cert()), Set.of()))
                .hasMessageContaining("'Signer'");
        TestCa badRoot = TestCa.root("BadRoot", Spec.ca(1).keyUsage(KeyUsage.digitalSignature));
        TestCa mid = badRoot.issueCa("Mid", Spec.ca(0));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf(mid), mid.cert()), List.of(badRoot.cert()), Set.of()))
                .hasMessageContaining("keyCertSign");
    }

    @Test
    void unknownCriticalExtensionsAreRefusedUnlessTheCallerHandlesThem() {
        String oid = "2.23.133.5.4.1";
        X509Certificate leaf = intermediate.issueLeaf("Leaf", TestCa.newKeys().getPublic(), Spec.leaf().critical(oid));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf, intermediate.cert()), List.of(root.cert()), Set.of()))
                .isInstanceOf(AttestationException.class);
        assertThat(CertificatePath.validate(List.of(leaf, intermediate.cert()), List.of(root.cert()), Set.of(oid)).leaf()).isEqualTo(leaf);
    }

    @Test
    void aChainNotEndingAtATrustedRootIsRefused() {
        TestCa other = TestCa.root("Other", Spec.ca(1));
        assertThatThrownBy(() -> CertificatePath.validate(List.of(leaf(intermediate), intermediate.cert()), List.of(other.cert()), Set.of()))
                .hasMessageContaining("not a trusted root");
        assertThatThrownBy(() -> CertificatePath.validate(List.of(root.cert()), List.of(root.cert()), Set.of()))
                .hasMessageContaining("is a trusted root");
    }

    @Test
    void validityIsJudgedAtTheGivenInstantForEveryCertificateAndTheRoot() {
        TestCa shortLived = root.issueCa("Short", Spec.ca(0).until(Instant.parse("2026-06-01T00:00:00Z")));
        CertificatePath p = CertificatePath.validate(List.of(leaf(shortLived), shortLived.cert()), List.of(root.cert()), Set.of());
        assertThat(p.validityProblem(Instant.parse("2026-03-01T00:00:00Z"))).isEmpty();
        assertThat(p.validityProblem(AT)).hasValueSatisfying(why -> assertThat(why).contains("'Short' expired"));
        assertThat(p.validityProblem(Instant.parse("2025-01-01T00:00:00Z"))).hasValueSatisfying(why -> assertThat(why).contains("not valid before"));
    }

    @Test
    void pemChainsRefuseBytesOutsideTheirBlocks() throws Exception {
        String pem = pem(leaf(intermediate)) + pem(intermediate.cert());
        assertThat(PemCertificates.parse("chain", pem.getBytes(StandardCharsets.US_ASCII), 8)).hasSize(2);
        assertThatThrownBy(() -> PemCertificates.parse("chain", (pem + "trailing").getBytes(StandardCharsets.US_ASCII), 8))
                .hasMessageContaining("chain: unexpected bytes");
        assertThatThrownBy(() -> PemCertificates.parse("chain", ("junk\n" + pem).getBytes(StandardCharsets.US_ASCII), 8))
                .hasMessageContaining("offset 0");
        assertThatThrownBy(() -> PemCertificates.parse("chain", pem.getBytes(StandardCharsets.US_ASCII), 1))
                .hasMessageContaining("more than 1");
        assertThatThrownBy(() -> PemCertificates.parse("chain", new byte[0], 8)).hasMessageContaining("no PEM certificate");
    }

    private static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }
}
