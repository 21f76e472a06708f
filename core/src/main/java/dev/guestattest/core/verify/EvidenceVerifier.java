// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * One vendor's verifier as the appraiser sees it (found through {@link java.util.ServiceLoader}):
 * which format it reads, whether bytes look like that format, and verification of signatures and
 * chains to the vendor's roots. Policy on the claims is the appraiser's, not the vendor's.
 */
public interface EvidenceVerifier {
    /** The format name, also the {@code tee} of its common claims: tdx, snp, cca, ... */
    String format();

    /** Whether these bytes have this format's shape (a cheap header check, not a verification). */
    boolean recognizes(byte[] evidence);

    /**
     * Verifies; never throws for bad evidence (a failed check says why).
     *
     * @param at    the time to verify at
     * @param roots trust anchors beyond the vendor's own (e.g. an emulator's root)
     */
    VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots);

    /**
     * Verifies with collateral (TDX TCB Info, SNP VCEKs and CRLs) the verifier fetches and caches
     * through {@code collateral} when the evidence does not bring it; TEEs that need none ignore it.
     */
    default VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots,
                                      dev.guestattest.core.collateral.CollateralService collateral) {
        return verify(evidence, at, roots);
    }

    /**
     * The register a CC event log's MR index (1-based, as the CCEL and the kernel's logs number
     * them) extends on this TEE, e.g. TDX's 1 is rtmr0; empty for TEEs without CC measurement registers.
     */
    default java.util.Optional<String> ccMeasurementRegister(int index) {
        return java.util.Optional.empty();
    }

    /**
     * For TEEs whose evidence answers a verifier-made request: that request, from the verifier's
     * trust anchors ({@code trusted}: aux parts such as s390's {@code host-key}). Most TEEs need none.
     */
    default java.util.Optional<SupplementalChallenge> challenge(java.util.Map<String, dev.guestattest.core.codec.Bytes> trusted,
                                                                java.security.SecureRandom random) {
        return java.util.Optional.empty();
    }
}
