// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One piece of collateral a verifier needs (a TDX TCB Info, an SNP VCEK, a CRL ...), described by
 * the TEE module that needs it: where it lives, which response headers belong to it, and how its
 * bytes are checked. The service fetches, caches and refreshes it; it never keeps bytes that
 * {@link #open} has not accepted.
 *
 * @param <T> the checked value verifiers use
 */
public interface CollateralItem<T> {
    /** A stable, path-safe key ({@code tdx/tcb-info/B0C06F000000}): one cache entry, one fetch. */
    String key();

    /** What it is, for messages: "TCB Info for FMSPC B0C06F000000". */
    String what();

    /** Where it is fetched from with these origins; empty when the origin it needs is not configured. */
    Optional<URI> location(Origins origins);

    /** The response headers that are part of it (an issuer chain), kept with the body. */
    default List<String> headers() {
        return List.of();
    }

    /**
     * Parses and verifies a document (signatures, chains to the pinned roots) and says until when
     * it is fresh; throws {@link dev.guestattest.core.AttestationException} naming what is wrong.
     */
    Checked<T> open(Document document);

    /** A verified value and the instant it stops being fresh (the document's own nextUpdate or notAfter). */
    record Checked<T>(T value, java.time.Instant freshUntil) {
    }
}
