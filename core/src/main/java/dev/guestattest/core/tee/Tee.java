// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.tee;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.TeeRules;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One TEE as the rest of GuestAttest sees it, declared by the TEE's own module (found with
 * {@link java.util.ServiceLoader}), as a vendor leaf registers with the kernel's tsm core: the
 * appraiser, the broker, {@code emulator root}, {@code --trust-emulators} and {@code verify}
 * derive everything TEE-specific from here, so a new TEE touches only its own module.
 */
public interface Tee {
    /** The one name everywhere: the evidence format, the {@code tee} of its claims, the policy's {@code tees} entry. */
    String name();

    /** Other names peers use for this TEE's evidence (Trustee's RCAR {@code tee} values, e.g. {@code se} for s390). */
    default Set<String> aliases() {
        return Set.of();
    }

    EvidenceVerifier verifier();

    /**
     * Aux parts only a verifier's own configuration may supply (trust anchors such as a CPAK or a
     * pinned AK, verifier secrets): a guest that sends one is refused, or it could pick its own anchor.
     */
    default Set<String> verifierAux() {
        return Set.of();
    }

    /** The aux part a guest sends its report's auxblob as, when the verifier needs it (SNP's certificate table: {@code certs}). */
    default Optional<String> auxblobPart() {
        return Optional.empty();
    }

    /** How a guest-components guest sends this TEE's evidence over RCAR; empty if it sends none this project reads. */
    default Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.empty();
    }

    /**
     * The provider settings under which this TEE's provider makes the evidence of
     * {@link #trusteeEvidence()}, for a guest about to attest to a Trustee-compatible broker:
     * {@code context} itself unless the provider's default form is another (the TPM provider quotes
     * as guest-components' attester does only when asked). A setting the caller gave is kept.
     */
    default ProviderContext trusteeSettings(ProviderContext context) {
        return context;
    }

    /** The TEE's own policy rules (a section of the appraisal policy named after it), judged by the appraiser; empty if it has none. */
    default Optional<TeeRules.Parser> rules() {
        return Optional.empty();
    }

    /** What a verifier must trust to accept evidence from this TEE's emulator, read from the emulator state of {@code context}. */
    Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context);

    /**
     * The vendor collateral service this TEE's emulator plays (Intel PCS for TDX, AMD KDS for SNP),
     * serving collateral valid for {@code validity} from now; empty for TEEs whose verifiers fetch nothing.
     */
    default Optional<dev.guestattest.core.collateral.EmulatedService> emulatedService(ProviderContext context, java.time.Duration validity) {
        return Optional.empty();
    }

    /** The options of {@code verify} for this TEE: its evidence ({@code --<name>}) and what the verification takes besides. */
    List<VerifyOption> verifyOptions();
}
