// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.pki;

import dev.guestattest.core.AttestationException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one certificate-chain check of GuestAttest: every vendor's chain (TDX PCK and collateral
 * signers, SNP VCEK/VLEK, CoVE DICE layers, TPM EK) goes through here. The path is validated by the
 * JDK's PKIX validator (RFC 5280: name chaining, signatures, basicConstraints CA flag and pathLen on
 * every issuer, keyUsage keyCertSign, unknown critical extensions refused); the trust anchor's own
 * constraints are checked too, which PKIX leaves optional. Revocation is the caller's (vendors ship
 * their own CRLs).
 *
 * <p>A chain may end with a copy of a trusted root; roots are matched by public key, since Intel
 * reissued its root certificate with the same key. Structure is judged once, at an instant at which
 * every certificate is valid, so a validated path can be cached; {@link #validityProblem(Instant)}
 * judges validity at the appraisal's instant.
 */
public final class CertificatePath {
    /** More would be no vendor's chain and only cost signature checks. */
    public static final int MAX_CERTIFICATES = 8;
    private static final int KEY_CERT_SIGN = 5;

    private final List<X509Certificate> given;
    private final X509Certificate anchor;

    private CertificatePath(List<X509Certificate> given, X509Certificate anchor) {
        this.given = List.copyOf(given);
        this.anchor = anchor;
    }

    /**
     * Validates {@code leafFirst} to one of {@code roots}. {@code handledCriticalExtensions} are the
     * OIDs of critical extensions the caller reads itself (e.g. DICE TcbInfo); any other critical
     * extension refuses the chain.
     *
     * @throws AttestationException (INVALID_ARGUMENT, field "certificate chain") naming the certificate and the rule
     */
    public static CertificatePath validate(List<X509Certificate> leafFirst, Collection<X509Certificate> roots,
                                           Set<String> handledCriticalExtensions) {
        if (leafFirst.isEmpty() || leafFirst.size() > MAX_CERTIFICATES) {
            throw problem(leafFirst.size() + " certificates; expected 1.." + MAX_CERTIFICATES);
        }
        X509Certificate top = leafFirst.get(leafFirst.size() - 1);
        List<X509Certificate> path = new ArrayList<>(leafFirst);
        Optional<X509Certificate> root = byKey(top, roots);
        if (root.isPresent() && leafFirst.size() > 1) {
            path.remove(path.size() - 1);
            requireSelfSigned(top);
        } else if (root.isEmpty()) {
            root = issuerOf(top, roots);
        }
        X509Certificate anchor = root.orElseThrow(() -> problem("ends at " + name(top) + ", which is not a trusted root"));
        if (path.size() == 1 && path.get(0).equals(anchor)) {
            throw problem(name(anchor) + " is a trusted root, not a certificate issued under one");
        }
        pkix(path, anchor, handledCriticalExtensions);
        checkAnchor(anchor, path.size() - 1, handledCriticalExtensions);
        return new CertificatePath(leafFirst, anchor);
    }

    /** The certificates as given, leaf first. */
    public List<X509Certificate> certificates() {
        return given;
    }

    public X509Certificate leaf() {
        return given.get(0);
    }

    /** The trusted root the path ends at. */
    public X509Certificate anchor() {
        return anchor;
    }

    /** Why some certificate (or the root) is not valid at {@code at}, or empty. */
    public Optional<String> validityProblem(Instant at) {
        List<X509Certificate> all = new ArrayList<>(given);
        all.add(anchor);
        return validityProblem(all, at);
    }

    /** Why one of {@code certificates} is not valid at {@code at}, or empty; for chains that did not validate. */
    public static Optional<String> validityProblem(List<X509Certificate> certificates, Instant at) {
        Date when = Date.from(at);
        for (X509Certificate c : certificates) {
            if (when.before(c.getNotBefore())) {
                return Optional.of(name(c) + " is not valid before " + c.getNotBefore().toInstant());
            }
            if (when.after(c.getNotAfter())) {
                return Optional.of(name(c) + " expired at " + c.getNotAfter().toInstant());
            }
        }
        return Optional.empty();
    }

    /** The certificate's CN, else its whole subject, quoted: for messages. */
    public static String name(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName();
        int cn = dn.indexOf("CN=");
        if (cn < 0) {
            return "'" + dn + "'";
        }
        int end = dn.indexOf(',', cn);
        return "'" + dn.substring(cn + 3, end < 0 ? dn.length() : end) + "'";
    }

    private static void pkix(List<X509Certificate> path, X509Certificate anchor, Set<String> handled) {
        Instant structureAt = structureInstant(path, anchor);
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            p.setRevocationEnabled(false);
            p.setDate(Date.from(structureAt));
            p.addCertPathChecker(new HandledExtensions(handled));
            CertPathValidator.getInstance("PKIX").validate(certPath, p);
        } catch (CertPathValidatorException e) {
            int i = e.getIndex();
            String who = i >= 0 && i < path.size() ? name(path.get(i)) + ": " : "";
            throw problem(who + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw problem("cannot be validated: " + e.getMessage());
        }
    }

    /**
     * An instant at which every certificate is valid, so that PKIX judges structure alone; without
     * one, no appraisal time could ever accept the chain.
     */
    private static Instant structureInstant(List<X509Certificate> path, X509Certificate anchor) {
        List<X509Certificate> all = new ArrayList<>(path);
        all.add(anchor);
        Date from = all.stream().map(X509Certificate::getNotBefore).max(Date::compareTo).orElseThrow();
        Date until = all.stream().map(X509Certificate::getNotAfter).min(Date::compareTo).orElseThrow();
        if (from.after(until)) {
            throw problem("no instant at which every certificate is valid (latest start " + from.toInstant() + ", earliest end "
                    + until.toInstant() + ")");
        }
        return from.toInstant();
    }

    /** PKIX leaves the anchor's own constraints optional; a root that may not issue this path is refused. */
    private static void checkAnchor(X509Certificate anchor, int intermediates, Set<String> handled) {
        int pathLen = anchor.getBasicConstraints();
        if (anchor.getVersion() == 3 && anchor.getBasicConstraints() < 0) {
            throw problem("the root " + name(anchor) + " is not a CA (basicConstraints)");
        }
        if (pathLen >= 0 && pathLen != Integer.MAX_VALUE && intermediates > pathLen) {
            throw problem("the root " + name(anchor) + " allows " + pathLen + " intermediate CAs below it (pathLen), the chain has "
                    + intermediates);
        }
        boolean[] usage = anchor.getKeyUsage();
        if (usage != null && (usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN])) {
            throw problem("the root " + name(anchor) + " may not sign certificates (keyUsage lacks keyCertSign)");
        }
        Set<String> critical = anchor.getCriticalExtensionOIDs();
        if (critical != null) {
            for (String oid : critical) {
                if (!HandledExtensions.STANDARD.contains(oid) && !handled.contains(oid)) {
                    throw problem("the root " + name(anchor) + " has an unknown critical extension " + oid);
                }
            }
        }
    }

    private static void requireSelfSigned(X509Certificate copy) {
        try {
            copy.verify(copy.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw problem(name(copy) + " has a trusted root's key but its self-signature does not verify");
        }
    }

    /** The one of {@code candidates} with {@code cert}'s public key (a trusted root, reissued or not). */
    public static Optional<X509Certificate> byKey(X509Certificate cert, Collection<X509Certificate> candidates) {
        byte[] key = cert.getPublicKey().getEncoded();
        return candidates.stream().filter(r -> Arrays.equals(r.getPublicKey().getEncoded(), key)).findFirst();
    }

    /** The one of {@code candidates} that issued {@code cert}, by name and signature: to pick a chain, not to validate it. */
    public static Optional<X509Certificate> issuerOf(X509Certificate cert, Collection<X509Certificate> candidates) {
        return candidates.stream().filter(r -> r.getSubjectX500Principal().equals(cert.getIssuerX500Principal())).filter(r -> {
            try {
                cert.verify(r.getPublicKey());
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }).findFirst();
    }

    private static AttestationException problem(String why) {
        return AttestationException.invalid("certificate chain", why);
    }

    /** Marks the caller's critical extensions as processed, so that PKIX refuses only unknown ones. */
    private static final class HandledExtensions extends PKIXCertPathChecker {
        /** Critical extensions the JDK's PKIX processes itself. */
        static final Set<String> STANDARD = Set.of("2.5.29.15", "2.5.29.19", "2.5.29.17", "2.5.29.37", "2.5.29.30", "2.5.29.32",
                "2.5.29.36", "2.5.29.54", "2.5.29.33");
        private final Set<String> handled;

        HandledExtensions(Set<String> handled) {
            this.handled = Set.copyOf(handled);
        }

        @Override
        public void init(boolean forward) {
        }

        @Override
        public boolean isForwardCheckingSupported() {
            return true;
        }

        @Override
        public Set<String> getSupportedExtensions() {
            return handled;
        }

        @Override
        public void check(java.security.cert.Certificate cert, Collection<String> unresolvedCritExts) {
            unresolvedCritExts.removeAll(handled);
        }
    }
}
