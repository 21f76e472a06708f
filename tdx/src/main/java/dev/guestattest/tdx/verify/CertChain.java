// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.pki.CertificatePath;
import dev.guestattest.core.pki.PemCertificates;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A certificate chain, leaf first, as Intel ships them in PEM (quotes' certification data, PCS issuer chains). */
record CertChain(List<X509Certificate> certs) {
    static final int MAX_CERTS = CertificatePath.MAX_CERTIFICATES;

    CertChain {
        certs = List.copyOf(certs);
    }

    /** Intel's chains in quotes end with a C string's NUL; the NULs are dropped, nothing else is tolerated. */
    static CertChain parsePem(String what, String pem) {
        byte[] bytes = pem.getBytes(StandardCharsets.ISO_8859_1);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new CertChain(PemCertificates.parse(what, Arrays.copyOf(bytes, end), MAX_CERTS));
    }

    X509Certificate leaf() {
        return certs.get(0);
    }

    /** Why the chain is not a valid PKIX path to a trusted root (matched by key), or empty. */
    Optional<String> pathProblem(TrustAnchors anchors) {
        try {
            CertificatePath.validate(certs, anchors.roots(), Set.of());
            return Optional.empty();
        } catch (AttestationException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Why some certificate is not valid at {@code now}, or empty. */
    Optional<String> validityProblem(Instant now) {
        return CertificatePath.validityProblem(certs, now);
    }

    static String name(X509Certificate c) {
        return CertificatePath.name(c);
    }
}
