// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.TeeRules;
import dev.guestattest.snp.abi.SnpTrusteeEvidence;
import dev.guestattest.snp.emulator.EmulatedKds;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.snp.validate.SnpRules;
import dev.guestattest.snp.verify.SnpEvidenceVerifier;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** AMD SEV-SNP: reports verified to an ARK; rules of its own for the guest policy bits; the emulator's ARK with its ASK and ASVK. */
public final class SnpTee implements Tee {
    private final EvidenceVerifier verifier = new SnpEvidenceVerifier();

    @Override
    public String name() {
        return "snp";
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    @Override
    public Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.of(new SnpTrusteeEvidence());
    }

    @Override
    public Optional<String> auxblobPart() {
        return Optional.of("certs");
    }

    @Override
    public Optional<TeeRules.Parser> rules() {
        return Optional.of(SnpRules::parse);
    }

    /** The certificate forms of --certs are the CLI's; without it the VCEK comes from the collateral service (the shared --kds options). */
    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("snp", "REPORT", "An SEV-SNP attestation report (binary, 1184 bytes)"));
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(context).chip();
        List<X509Certificate> chain = List.of(chip.arkCertificate(), chip.askCertificate(), chip.asvkCertificate());
        try {
            StringBuilder pem = new StringBuilder();
            for (X509Certificate c : chain) {
                pem.append(Pem.encode("CERTIFICATE", c.getEncoded()));
            }
            return Optional.of(EmulatorAnchors.ofRoots(chain, pem.toString(), "ARK sha256 fingerprint: "
                    + HexFormat.of().formatHex(HashAlgorithm.SHA256.hash(chip.arkCertificate().getEncoded()))));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the emulated ARK cannot be encoded", e);
        }
    }

    /** AMD's KDS serving the emulated chip's VCEKs, chains and the ARK's CRL, issued now. */
    @Override
    public Optional<EmulatedService> emulatedService(ProviderContext context, Duration validity) {
        return Optional.of(new EmulatedKds(SnpEmulatedProvider.open(context).chip(), context.clock(), validity));
    }
}
