package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/** A certificate chain, leaf first, as Intel ships them in PEM (quotes' certification data, PCS issuer chains). */
record CertChain(List<X509Certificate> certs) {
    static final int MAX_CERTS = 8;

    CertChain {
        certs = List.copyOf(certs);
    }

    static CertChain parsePem(String what, String pem) {
        Collection<? extends Certificate> parsed;
        try {
            parsed = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid(what, "not a PEM certificate chain: " + e.getMessage());
        }
        if (parsed.isEmpty() || parsed.size() > MAX_CERTS) {
            throw AttestationException.invalid(what, parsed.size() + " certificates; expected 1.." + MAX_CERTS);
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : parsed) {
            out.add((X509Certificate) c);
        }
        return new CertChain(out);
    }

    X509Certificate leaf() {
        return certs.get(0);
    }

    /**
     * Why the chain does not lead to a trusted root, or empty when each certificate is signed by
     * the next and the last is a trusted root (matched by key) or is signed by one.
     */
    Optional<String> signatureProblem(TrustAnchors anchors) {
        for (int i = 0; i + 1 < certs.size(); i++) {
            X509Certificate c = certs.get(i);
            X509Certificate issuer = certs.get(i + 1);
            if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return Optional.of(name(c) + " is issued by " + c.getIssuerX500Principal().getName() + ", but the next certificate is "
                        + name(issuer));
            }
            try {
                c.verify(issuer.getPublicKey());
            } catch (GeneralSecurityException e) {
                return Optional.of("the signature on " + name(c) + " does not verify with " + name(issuer) + "'s key");
            }
        }
        X509Certificate top = certs.get(certs.size() - 1);
        Optional<X509Certificate> root = anchors.byKey(top);
        if (root.isPresent()) {
            try {
                top.verify(root.get().getPublicKey());
                return Optional.empty();
            } catch (GeneralSecurityException e) {
                return Optional.of("the root " + name(top) + " has a trusted key but its self-signature does not verify");
            }
        }
        if (anchors.issuerOf(top).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("the chain ends at " + name(top) + ", which is not a trusted root");
    }

    /** Why some certificate is not valid at {@code now}, or empty. */
    Optional<String> validityProblem(Instant now) {
        Date at = Date.from(now);
        for (X509Certificate c : certs) {
            if (at.before(c.getNotBefore())) {
                return Optional.of(name(c) + " is not valid before " + c.getNotBefore().toInstant());
            }
            if (at.after(c.getNotAfter())) {
                return Optional.of(name(c) + " expired at " + c.getNotAfter().toInstant());
            }
        }
        return Optional.empty();
    }

    static String name(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName();
        int cn = dn.indexOf("CN=");
        if (cn < 0) {
            return "'" + dn + "'";
        }
        int end = dn.indexOf(',', cn);
        return "'" + dn.substring(cn + 3, end < 0 ? dn.length() : end) + "'";
    }
}
