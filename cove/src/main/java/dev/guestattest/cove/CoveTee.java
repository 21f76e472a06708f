// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.cove.verify.CoveEvidenceVerifier;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** RISC-V CoVE: DICE chains verified to a configured root; the emulator's anchor is its DICE root. */
public final class CoveTee implements Tee {
    private final EvidenceVerifier verifier = new CoveEvidenceVerifier();

    @Override
    public String name() {
        return "cove";
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("cove", "EVIDENCE", "RISC-V CoVE DICE evidence (PEM chain, TVM certificate first)"),
                VerifyOption.requiredRoots("CoVE needs the DICE root certificate (--root PEM)"));
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        X509Certificate root = EmulatedTsm.open(context).rootCertificate();
        try {
            return Optional.of(EmulatorAnchors.ofRoots(List.of(root), Pem.encode("CERTIFICATE", root.getEncoded()),
                    "the emulated DICE root: pass it to verify --cove --root"));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the emulated DICE root cannot be encoded", e);
        }
    }
}
