// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.tee;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;

/**
 * One TEE's evidence as a Confidential Containers guest sends it in RCAR's
 * {@code tee-evidence.primary_evidence}: the JSON its guest-components attester serializes with
 * serde, and back. Written by the TEE's own module from the attester's source (each implementation
 * cites file and commit); the broker reads a guest's evidence with it, this project's guest writes
 * it so that a Trustee reads ours. Both directions are exact: {@code read(write(e))} is {@code e}.
 */
public interface TrusteeEvidence {
    /** The kbs-types {@code Tee} name this is the evidence of ({@code tdx}, {@code snp}, {@code az-snp-vtpm}...). */
    String tee();

    /**
     * The evidence, in this project's form (format, bytes, aux parts), from the attester's JSON.
     * Anything else is refused with an {@link dev.guestattest.core.AttestationException} naming the
     * field ({@code tee-evidence.primary_evidence.<field>}) and what it must be.
     */
    Evidence read(JsonNode primaryEvidence);

    /** The attester's JSON for {@code evidence}; a part the attester has no place for is refused by name, not dropped. */
    JsonNode write(Evidence evidence);

    /**
     * The report data this TEE's guest-components attester puts in its evidence for a runtime-data
     * digest: zero-padded (or truncated) to 64 bytes, unless the attester does otherwise (the TPM
     * attester resizes it to 32 bytes, the Azure vTPM ones use the digest as it is).
     */
    default Bytes reportData(Bytes digest) {
        return Bytes.of(java.util.Arrays.copyOf(digest.toArray(), 64));
    }

    /** The prefix refusals name fields with. */
    String FIELD = "tee-evidence.primary_evidence";
}
