// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.Freshness;
import dev.guestattest.core.pki.CertificatePath;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.SigningKey;
import dev.guestattest.snp.abi.TcbVersion;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import dev.guestattest.core.crypto.EcdsaKey;
import dev.guestattest.core.mr.HashAlgorithm;

/**
 * Verifies SEV-SNP attestation reports (formats.md §2.7): the chain VCEK → ASK → ARK (or VLEK →
 * ASVK → ARK) to a trusted ARK, the signer's extensions against the report (SPLs = REPORTED_TCB,
 * hwID = CHIP_ID), CRLs when given, and the P-384 report signature; policy on the claims is the
 * appraiser's (with {@code snp.validate.SnpRules} for what only SNP says). Every check is named;
 * one that cannot be made fails. Thread-safe; chains already checked are cached by the signer's
 * certificate bytes, so a warm verification is one P-384 verification plus hashing.
 */
public final class SnpVerifier {
    private static final int CACHE_LIMIT = 1024;

    private final AmdRoots roots;
    private final Clock clock;
    private final List<X509CRL> crls;
    private final java.time.Duration grace;
    private final Map<Bytes, Signer> signers = new ConcurrentHashMap<>();

    private SnpVerifier(Builder b) {
        this.roots = b.roots;
        this.clock = b.clock;
        this.crls = List.copyOf(b.crls);
        this.grace = b.grace;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private AmdRoots roots = AmdRoots.amd();
        private Clock clock = Clock.systemUTC();
        private final List<X509CRL> crls = new ArrayList<>();
        private java.time.Duration grace = java.time.Duration.ZERO;

        private Builder() {
        }

        public Builder roots(AmdRoots r) {
            this.roots = r;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** A CRL from KDS ({@code /vcek/v1/<product>/crl}), DER; checked against its ARK at verification. */
        public Builder crl(byte[] der) {
            try {
                crls.add((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der)));
            } catch (GeneralSecurityException e) {
                throw AttestationException.invalid("CRL", "not a DER X.509 CRL: " + e.getMessage());
            }
            return this;
        }

        /** How long past its nextUpdate a CRL is still accepted (default none); the check says when it relied on it. */
        public Builder grace(java.time.Duration g) {
            this.grace = g;
            return this;
        }

        public SnpVerifier build() {
            return new SnpVerifier(this);
        }
    }

    /** The signer's chain, checked once: certificates, key, extensions, product; or why not. */
    private record Signer(List<X509Certificate> chain, Optional<EcdsaKey> key, Optional<VcekExtensions> extensions,
                          Optional<Product> product, String problem) {
    }

    public SnpVerification verify(byte[] reportBytes, SnpCertificates certs) {
        Instant now = clock.instant();
        AttestationReport report;
        try {
            report = AttestationReport.parse(reportBytes);
        } catch (AttestationException e) {
            return new SnpVerification(new VerificationResult(List.of(Check.fail("report.format", e))), Optional.empty(),
                    Optional.empty(), now);
        }
        List<Check> checks = new ArrayList<>();
        checks.add(format(report));
        Signer signer = signer(certs);
        Optional<Product> product = signer.product().or(() -> Product.fromReport(report));
        checks.add(productCheck(report, signer, product));
        checks.add(signer.problem().isEmpty() ? Check.pass("chain", names(signer.chain()) + ", ending at a trusted ARK")
                : Check.fail("chain", signer.problem()));
        checks.add(signer.chain().isEmpty() ? Check.fail("chain.validity", "cannot be checked: " + signer.problem())
                : validity(signer.chain(), now));
        if (!crls.isEmpty()) {
            checks.add(revocation(signer, now));
        }
        TcbVersion.Layout layout = product.map(Product::layout).orElse(report.tcbLayout());
        checks.add(signer.extensions().map(e -> tcbCheck(e, report, layout))
                .orElseGet(() -> Check.fail("signer.tcb", "cannot be checked: " + signer.problem())));
        checks.add(signer.extensions().map(e -> chipCheck(e, report))
                .orElseGet(() -> Check.fail("signer.chip", "cannot be checked: " + signer.problem())));
        checks.add(signer.key().map(k -> k.verify(HashAlgorithm.SHA384, report.signedRegion(), report.signatureR(), report.signatureS())
                        ? Check.pass("report.signature", "bytes 0x000-0x29F signed by the " + report.signingKey() + " (ECDSA P-384)")
                        : Check.fail("report.signature", "does not verify with the " + report.signingKey() + "'s key"))
                .orElseGet(() -> Check.fail("report.signature", "cannot be checked: " + signer.problem())));
        return new SnpVerification(new VerificationResult(checks), product, Optional.of(SnpClaims.of(report, layout)), now);
    }

    /** Only the certificates: the chain to a trusted ARK and its validity now (e.g. for a VCEK fetched from KDS). */
    public VerificationResult verifyChain(SnpCertificates certs) {
        Signer signer = signer(certs);
        return new VerificationResult(List.of(signer.problem().isEmpty()
                        ? Check.pass("chain", names(signer.chain()) + ", ending at a trusted ARK") : Check.fail("chain", signer.problem()),
                signer.chain().isEmpty() ? Check.fail("chain.validity", "cannot be checked: " + signer.problem())
                        : validity(signer.chain(), clock.instant())));
    }

    private Signer signer(SnpCertificates certs) {
        Bytes id;
        try {
            id = Bytes.of(certs.signer().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            return new Signer(List.of(), Optional.empty(), Optional.empty(), Optional.empty(), "unencodable signer certificate");
        }
        Supplier<Signer> make = () -> checkSigner(certs);
        if (signers.size() >= CACHE_LIMIT) {
            return make.get();
        }
        // the cache key must cover the intermediate and ARK offered too, or a bad pair could ride on a good one's entry
        Bytes key = Bytes.of(HashAlgorithm.SHA384.hash((id.hex() + certs.intermediate().map(SnpVerifier::hexOf).orElse("-")
                + certs.ark().map(SnpVerifier::hexOf).orElse("-")).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        return signers.computeIfAbsent(key, k -> make.get());
    }

    private static String hexOf(X509Certificate c) {
        try {
            return Bytes.of(c.getEncoded()).hex();
        } catch (java.security.cert.CertificateEncodingException e) {
            return "?";
        }
    }

    private Signer checkSigner(SnpCertificates certs) {
        X509Certificate leaf = certs.signer();
        Optional<Product> product = Optional.empty();
        Optional<VcekExtensions> ext = Optional.empty();
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        try {
            ext = Optional.of(VcekExtensions.of(leaf));
            product = Product.fromIssuer(leaf).or(() -> Product.fromName(VcekExtensions.of(leaf).productName()));
            X509Certificate intermediate = certs.intermediate().filter(i -> i.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()))
                    .or(() -> roots.intermediateFor(leaf).map(AmdRoots.Chain::intermediate))
                    .orElseThrow(() -> AttestationException.invalid("certificate chain", "no ASK/ASVK named '"
                            + leaf.getIssuerX500Principal().getName() + "' is given or built in"));
            chain.add(intermediate);
            X509Certificate ark = certs.ark().filter(a -> a.getSubjectX500Principal().equals(intermediate.getIssuerX500Principal()))
                    .or(() -> roots.arkFor(intermediate))
                    .orElseThrow(() -> AttestationException.invalid("certificate chain", "no ARK for '"
                            + intermediate.getIssuerX500Principal().getName() + "'"));
            chain.add(ark);
            roots.arkByKey(ark).orElseThrow(() -> AmdRoots.untrusted(ark));
            CertificatePath.validate(chain, roots.arks(), Set.of());
            return new Signer(chain, Optional.of(EcdsaKey.of(EcdsaKey.Curve.P384, "VCEK key", leaf.getPublicKey())), ext, product, "");
        } catch (AttestationException e) {
            return new Signer(chain, Optional.empty(), ext, product, e.getMessage());
        }
    }

    private static Check format(AttestationReport r) {
        if (r.version() < 2) {
            return Check.fail("report.format", "version " + r.version() + " is below 2");
        }
        if (r.signatureAlgo() != 1) {
            return Check.fail("report.format", "signature algorithm " + r.signatureAlgo() + " is not 1 (ECDSA P-384 with SHA-384)");
        }
        if (r.signingKey() != SigningKey.VCEK && r.signingKey() != SigningKey.VLEK) {
            return Check.fail("report.format", "signing key " + r.signingKey() + ": the report is not signed by a VCEK or VLEK");
        }
        if (!r.policy().wellFormed()) {
            return Check.fail("report.format", "policy " + r.policy() + " has must-be-zero bits set or bit 17 clear");
        }
        if (!r.reservedFieldsZero()) {
            return Check.fail("report.format", "a reserved, must-be-zero field is not zero");
        }
        return Check.pass("report.format", "version " + r.version() + ", signed by the " + r.signingKey());
    }

    private static Check productCheck(AttestationReport r, Signer s, Optional<Product> product) {
        if (product.isEmpty()) {
            return Check.fail("product", "cannot tell Milan, Genoa or Turin from the signer or the report");
        }
        Optional<Product> byCpuid = Product.fromReport(r);
        if (byCpuid.isPresent() && s.product().isPresent() && byCpuid.get() != s.product().get()) {
            return Check.fail("product", "the report's CPUID says " + byCpuid.get() + " but its signer is for " + s.product().get());
        }
        return Check.pass("product", product.get().kdsName() + s.extensions().map(e -> " (" + e.productName() + ")").orElse(""));
    }

    private static Check validity(List<X509Certificate> chain, Instant now) {
        return CertificatePath.validityProblem(chain, now).map(why -> Check.fail("chain.validity", why))
                .orElseGet(() -> Check.pass("chain.validity", "every certificate is valid at " + now));
    }

    private Check revocation(Signer s, Instant now) {
        if (s.chain().size() < 3) {
            return Check.fail("chain.revocation", "cannot be checked: " + s.problem());
        }
        X509Certificate ark = s.chain().get(2);
        for (X509CRL crl : crls) {
            if (!crl.getIssuerX500Principal().equals(ark.getSubjectX500Principal())) {
                continue;
            }
            try {
                crl.verify(ark.getPublicKey());
            } catch (GeneralSecurityException e) {
                return Check.fail("chain.revocation", "the CRL of '" + ark.getSubjectX500Principal().getName() + "' is not signed by it");
            }
            Freshness fresh = Freshness.of("the CRL", crl, now, grace);
            if (!fresh.usable()) {
                return Check.fail("chain.revocation", "the CRL is not fresh at " + now + ": " + fresh.detail());
            }
            X509Certificate intermediate = s.chain().get(1);
            String graced = fresh.verdict() == Freshness.Verdict.WITHIN_GRACE ? " (" + fresh.detail() + ")" : "";
            return crl.isRevoked(intermediate) ? Check.fail("chain.revocation", "'" + intermediate.getSubjectX500Principal().getName()
                    + "' is revoked") : Check.pass("chain.revocation", "the ASK/ASVK is not revoked" + graced);
        }
        return Check.fail("chain.revocation", "CRLs were given, but none is the ARK's");
    }

    private static Check tcbCheck(VcekExtensions e, AttestationReport r, TcbVersion.Layout layout) {
        TcbVersion.Parts reported = r.reportedTcb().parts(layout);
        return e.spls().equals(reported) ? Check.pass("signer.tcb", "the signer's SPLs equal REPORTED_TCB " + reported)
                : Check.fail("signer.tcb", "the signer is for TCB " + e.spls() + " but the report's REPORTED_TCB is " + reported
                + ": this VCEK belongs to another TCB");
    }

    private static Check chipCheck(VcekExtensions e, AttestationReport r) {
        if (r.signingKey() == SigningKey.VLEK) {
            return Check.pass("signer.chip", "VLEK: not bound to one chip" + e.cspId().map(c -> " (CSP " + c + ")").orElse(""));
        }
        if (e.hwId().isEmpty()) {
            return Check.fail("signer.chip", "the VCEK has no hwID extension");
        }
        Bytes hw = e.hwId().get();
        if (hw.length() > 64 || !Bytes.of(r.chipId().toArray(), 0, hw.length()).equals(hw)) {
            return Check.fail("signer.chip", "the VCEK's hwID " + hw.hex() + " is not the report's CHIP_ID: this VCEK belongs to another chip");
        }
        return Check.pass("signer.chip", "hwID equals CHIP_ID (" + hw.length() + " bytes)");
    }

    private static String names(List<X509Certificate> chain) {
        return String.join(" <- ", chain.stream().map(c -> {
            String dn = c.getSubjectX500Principal().getName();
            int cn = dn.indexOf("CN=");
            int end = cn < 0 ? -1 : dn.indexOf(',', cn);
            return cn < 0 ? dn : dn.substring(cn + 3, end < 0 ? dn.length() : end);
        }).toList());
    }
}
