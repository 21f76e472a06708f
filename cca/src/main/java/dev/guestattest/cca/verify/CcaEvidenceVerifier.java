// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** CCA tokens for the appraiser; aux part {@code cpak} is the trusted CPAK (PEM, JWK or trust-anchor JSON). */
public final class CcaEvidenceVerifier implements EvidenceVerifier {
    @Override
    public String format() {
        return "cca";
    }

    /** CBOR tag 399 (the CCA token) or 907 (the CMW collection), as a two-byte tag head. */
    /** CC MR {@code index} 1..4 is rem0..3. */
    @Override
    public Optional<String> ccMeasurementRegister(int index) {
        return index >= 1 && index <= 4 ? Optional.of("rem" + (index - 1)) : Optional.empty();
    }

    @Override
    public boolean recognizes(byte[] e) {
        return e.length > 3 && (e[0] & 0xff) == 0xd9 && ((e[1] == 0x01 && (e[2] & 0xff) == 0x8f) || (e[1] == 0x03 && (e[2] & 0xff) == 0x8b));
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        List<Cpak> anchors;
        try {
            anchors = Cpak.parse(evidence.aux("cpak").orElseThrow(() -> AttestationException.invalid("cpak",
                    "CCA needs the trusted CPAK (aux part 'cpak')")).toArray());
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("cpak", e));
        }
        return of(CcaVerifier.verify(evidence.bytes().toArray(), anchors));
    }

    /** A CCA verdict as the appraiser takes it. */
    public static VendorVerification of(CcaVerifier.Result r) {
        return new VendorVerification(r.result(), r.common(), Optional.empty(),
                r.platform().<Map<String, Object>>map(p -> Map.of("implementation_id", p.implementationId().hex(), "instance_id",
                        p.instanceId().hex(), "lifecycle", p.lifecycle(), "personalization_value",
                        r.realm().orElseThrow().personalizationValue().hex())).orElse(Map.of()));
    }
}
