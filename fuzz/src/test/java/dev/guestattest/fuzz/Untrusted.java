// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The property every target checks: untrusted bytes are refused with a typed error, or accepted; nothing else escapes. */
final class Untrusted {
    static final Instant AT = Instant.parse("2026-12-05T00:00:00Z");

    private Untrusted() {
    }

    /** A parser: its documented refusal is an {@link AttestationException}; any other throwable is a finding. */
    static void parse(Runnable parser) {
        try {
            parser.run();
        } catch (AttestationException expected) {
            // the typed refusal
        }
    }

    /**
     * A verifier as the appraiser and the broker call it: it reports bad evidence as failed checks and
     * never throws. (Whether mutated evidence verifies is the tamper tests' question: seeds are genuine.)
     */
    static VendorVerification verify(EvidenceVerifier verifier, byte[] evidence, Map<String, Bytes> aux) {
        return verifier.verify(Evidence.of(Bytes.of(evidence), aux), AT, List.of());
    }
}
