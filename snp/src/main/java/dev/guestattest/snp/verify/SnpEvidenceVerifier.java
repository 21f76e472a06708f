// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.core.verify.WarmVerifiers;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.abi.SigningKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SEV-SNP reports for the appraiser; aux part {@code certs} is the certificate table (auxblob) or
 * the VCEK/VLEK (DER); without it the VCEK comes from the collateral service. Extra roots are
 * self-signed ARKs and the intermediates they issued, as {@code emulator root --tee snp} prints them.
 */
public final class SnpEvidenceVerifier implements EvidenceVerifier {
    /** Verifiers per configuration, keeping the signer chains they checked. */
    private final WarmVerifiers<Key, SnpVerifier> verifiers = new WarmVerifiers<>(SnpEvidenceVerifier::build);

    /** What a verifier is made for: the extra roots, the grace, and the ARK CRL from the service (DER), if any. */
    private record Key(List<X509Certificate> roots, Duration grace, Optional<Bytes> crl) {
    }

    private static SnpVerifier build(Clock clock, Key key) {
        SnpVerifier.Builder b = SnpVerifier.builder().roots(AmdRoots.amdAnd(key.roots())).clock(clock).grace(key.grace());
        key.crl().ifPresent(c -> b.crl(c.toArray()));
        return b.build();
    }
    @Override
    public String format() {
        return "snp";
    }

    /** 1184 bytes with report version 2..5 (little-endian). */
    @Override
    public boolean recognizes(byte[] e) {
        return e.length == AttestationReport.SIZE && e[0] >= 2 && e[0] <= 5 && e[1] == 0 && e[2] == 0 && e[3] == 0;
    }

    /** With no collateral service: the evidence must bring its certificate table or VCEK (aux part {@code certs}); no CRL is checked. */
    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        return verify(evidence, at, roots, CollateralService.offline());
    }

    /**
     * The VCEK comes with the evidence (its certificate table) or, failing that, from the service
     * (cache, directories, KDS); either is checked to a trusted ARK. When the service has a KDS or
     * a directory, the ARK's CRL is fetched too and the ASK must not be revoked.
     */
    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots, CollateralService service) {
        AmdRoots amd = AmdRoots.amdAnd(roots);
        AttestationReport report;
        try {
            report = AttestationReport.parse(evidence.bytes().toArray());
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("report.format", e));
        }
        KdsCollateral kds = new KdsCollateral(amd);
        SnpCertificates certs;
        List<Check> notes = new ArrayList<>();
        try {
            Optional<Bytes> sent = evidence.aux("certs");
            if (sent.isPresent()) {
                byte[] c = sent.get().toArray();
                certs = c.length > 1 && c[0] == 0x30 ? SnpCertificates.ofSigner(c) : SnpCertificates.fromTable(CertTable.parse(c));
            } else {
                certs = fetchedVcek(report, kds, service, notes);
            }
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("certs", e));
        }
        Optional<Bytes> crl = Optional.empty();
        Optional<Product> product = Product.fromIssuer(certs.signer()).or(() -> Product.fromReport(report));
        if (service.origins().base(Origins.KDS).isPresent() || service.hasDirectories()) {
            // revocation is checked whenever there is somewhere to get the CRL from; a CRL that cannot be had fails it
            try {
                Product p = product.orElseThrow(() -> AttestationException.invalid("product", "cannot tell which ARK's CRL to fetch"));
                CollateralService.Collected<byte[]> got = service.get(kds.crl(p, report.signingKey() == SigningKey.VLEK));
                crl = Optional.of(Bytes.of(got.value()));
                notes.add(Check.pass("collateral.crl", "the ARK's CRL from the collateral service: " + got.source()));
            } catch (AttestationException e) {
                notes.add(Check.fail("chain.revocation", "cannot be checked: " + e.getMessage()));
            }
        }
        SnpVerifier verifier = verifiers.at(at, new Key(List.copyOf(roots), service.grace(), crl));
        VendorVerification v = of(verifier.verify(evidence.bytes().toArray(), certs));
        if (notes.isEmpty()) {
            return v;
        }
        List<Check> checks = new ArrayList<>(v.result().checks());
        checks.addAll(notes);
        return new VendorVerification(new VerificationResult(checks), v.claims(), v.tcbStatus(), v.vendorClaims());
    }

    /** The VCEK for the report's chip and REPORTED_TCB from the service; a VLEK only ever comes with the evidence. */
    private static SnpCertificates fetchedVcek(AttestationReport report, KdsCollateral kds, CollateralService service, List<Check> notes) {
        if (report.signingKey() == SigningKey.VLEK) {
            throw AttestationException.invalid("certs", "the report is signed by a VLEK, which KDS does not serve: the guest must send"
                    + " its certificate table (aux part 'certs')");
        }
        List<Product> candidates = Product.fromReport(report).map(List::of).orElse(List.of(Product.MILAN, Product.GENOA));
        AttestationException last = null;
        for (Product p : candidates) {
            try {
                CollateralService.Collected<byte[]> vcek = service.get(kds.vcek(p, report.chipId(), report.reportedTcb()));
                notes.add(Check.pass("collateral.vcek", "from the collateral service: " + vcek.source()));
                return SnpCertificates.ofSigner(vcek.value());
            } catch (AttestationException e) {
                last = e;
            }
        }
        String tried = candidates.size() > 1 ? " (a v" + report.version() + " report does not name its product; tried " + candidates + ")" : "";
        throw AttestationException.of(last.reason(), "no VCEK" + tried + ": " + last.getMessage()
                + "; the evidence brought no certificate table (aux part 'certs')");
    }

    /** An SNP verdict as the appraiser takes it: common claims only from a report that verified, the report's own claims. */
    public static VendorVerification of(SnpVerification v) {
        Optional<SnpClaims> verified = v.trusted() ? v.claims() : Optional.empty();
        return new VendorVerification(v.result(), verified.map(SnpClaims::common), Optional.empty(),
                verified.<Map<String, Object>>map(c -> Map.of("host_data", c.hostData().hex(), "vmpl", c.vmpl(), "policy", c.policy(),
                        "chip_id", c.chipId().hex(), "reported_tcb", c.reportedTcb().toString(), "id_key_digest", c.idKeyDigest().hex(),
                        "signing_key", c.signingKey())).orElse(Map.of()));
    }
}
