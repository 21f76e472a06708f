// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove.verify;

import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** CoVE DICE evidence (a PEM chain, TVM certificate first) for the appraiser; the DICE roots come as the context's roots. */
public final class CoveEvidenceVerifier implements EvidenceVerifier {
    @Override
    public String format() {
        return "cove";
    }

    /** CC MR {@code index} 1.. is rmr0..: the TSM numbers runtime registers as the log does. */
    @Override
    public Optional<String> ccMeasurementRegister(int index) {
        return index >= 1 ? Optional.of("rmr" + (index - 1)) : Optional.empty();
    }

    @Override
    public boolean recognizes(byte[] e) {
        return new String(e, 0, Math.min(e.length, 64), StandardCharsets.US_ASCII).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        return of(CoveVerifier.verify(evidence.bytes().toArray(), roots, Optional.empty(), at));
    }

    /** A CoVE verdict as the appraiser takes it. */
    public static VendorVerification of(CoveVerifier.Result r) {
        return new VendorVerification(r.result(), r.claims().map(CoveVerifier.Claims::common), Optional.empty(),
                r.claims().<Map<String, Object>>map(c -> Map.of("layers", c.layers().size())).orElse(Map.of()));
    }
}
