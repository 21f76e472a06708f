// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.cca.validate.CcaReferenceValues;
import dev.guestattest.cca.verify.CcaEvidenceVerifier;
import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.cca.verify.Cpak;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.cove.abi.DiceTcbInfo;
import dev.guestattest.cove.verify.CoveEvidenceVerifier;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Arm CCA tokens (CBOR, COSE_Sign1, claims, RAK) and trust anchors; RISC-V CoVE DICE chains and their extensions. */
class CcaCoveFuzzTest {
    private static final List<Cpak> CPAK = Cpak.fromJson(Vectors.read("arm-cca/rust-ccatoken/cpak.json"));

    @FuzzTest(maxDuration = Campaign.DURATION)
    void ccaToken(byte[] data) {
        Untrusted.parse(() -> CcaVerifier.verify(data, CPAK).realm().ifPresent(r -> r.common()));
        Untrusted.verify(new CcaEvidenceVerifier(), data, Map.of());
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void ccaTrustAnchorsAndReferenceValues(byte[] data) {
        Untrusted.parse(() -> Cpak.fromJson(data));
        Untrusted.parse(() -> CcaReferenceValues.fromJson(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void coveChain(byte[] data) {
        Untrusted.verify(new CoveEvidenceVerifier(), data, Map.of());
    }

    /** The DICE extensions of any certificate the X.509 parser accepts. */
    @FuzzTest(maxDuration = Campaign.DURATION)
    void diceExtensions(byte[] data) {
        X509Certificate c;
        try {
            c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(data));
        } catch (CertificateException | RuntimeException notACertificate) {
            return; // the JDK's parser is not ours to fuzz
        }
        Untrusted.parse(() -> DiceTcbInfo.of(c));
        Untrusted.parse(() -> DiceTcbInfo.freshness(c));
    }
}
