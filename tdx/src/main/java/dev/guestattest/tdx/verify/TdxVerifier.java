// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.Freshness;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tdx.abi.EnclaveReportBody;
import dev.guestattest.tdx.abi.QeReportCertificationData;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.QuoteHeader;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import dev.guestattest.core.crypto.EcdsaKey;
import dev.guestattest.core.mr.HashAlgorithm;

/**
 * Verifies TDX quotes as Intel's QVL does, offline: the PCK chain to a trusted root, both CRLs,
 * the QE report and its binding of the attestation key, the quote signature, TCB Info and QE
 * Identity (signatures over the JSON as signed, validity windows), the TCB level and the QE
 * identity. Policy on the claims (DEBUG, accepted TCB statuses, report data) is the appraiser's. Every check is named in the result; one that cannot be made fails.
 * Thread-safe. Work keyed by bytes already checked (collateral, PCK chains, attestation keys) is
 * cached, so a warm verification costs two ECDSA verifications and a few hashes.
 */
public final class TdxVerifier {
    private static final int CACHE_LIMIT = 1024;

    private final TrustAnchors anchors;
    private final Clock clock;
    private final java.time.Duration grace;
    private final Map<Collateral, PreparedCollateral> collaterals = new ConcurrentHashMap<>();
    private final Map<String, PckChain> chains = new ConcurrentHashMap<>();
    private final Map<Bytes, EcdsaKey> attestationKeys = new ConcurrentHashMap<>();

    private TdxVerifier(Builder b) {
        this.anchors = b.anchors;
        this.clock = b.clock;
        this.grace = b.grace;
    }

    /**
     * Readies what a first verification needs before its quote is at hand: the built-in Intel root
     * (read and checked against its fingerprint), the JDK's PKIX validator and EC code (verifying the
     * root's self-signature is what loads them) and Bouncy Castle's P-256. A process with other work
     * before its first verification (the CLI parsing its command line) runs this on another thread so
     * the two overlap. Never throws: whatever is wrong, the verification finds and reports itself.
     */
    public static void preload() {
        try {
            X509Certificate root = TrustAnchors.intel().roots().get(0);
            root.verify(root.getPublicKey());
            CertPathValidator.getInstance("PKIX");
            EcdsaKey.Curve.P256.scalarSize();
        } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
            // left to the verification; a class that failed to initialize here fails there too (LinkageError:
            // ExceptionInInitializerError), and the thread must not print a stack trace of its own
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private TrustAnchors anchors = TrustAnchors.intel();
        private Clock clock = Clock.systemUTC();
        private java.time.Duration grace = java.time.Duration.ZERO;

        private Builder() {
        }

        /** Roots chains may end at; the default is Intel's SGX Root CA alone. */
        public Builder anchors(TrustAnchors a) {
            this.anchors = a;
            return this;
        }

        /** Also trust {@code root} (e.g. the emulator's), besides the roots so far. */
        public Builder trust(X509Certificate root) {
            this.anchors = anchors.plus(root);
            return this;
        }

        /** "Now" for every validity and freshness check. */
        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /**
         * How long past its nextUpdate collateral is still accepted (default none); a check that
         * relies on it passes saying so.
         */
        public Builder grace(java.time.Duration g) {
            this.grace = g;
            return this;
        }

        public TdxVerifier build() {
            return new TdxVerifier(this);
        }
    }

    /**
     * Verifies {@code quote} with the collateral {@code source} has for its platform (the FMSPC of
     * its PCK certificate). A source that has none, or fails, fails the verification with its reason.
     */
    public TdxVerification verify(byte[] quote, CollateralSource source) {
        PckChain pck;
        try {
            pck = chain(Quote.parse(quote).qeReportCertificationData().pckCertificationData().pemChain());
        } catch (AttestationException e) {
            return failed(Check.fail("quote.format", e));
        }
        if (pck.extensions().isEmpty()) {
            return failed(Check.fail("pck.chain", pck.problem()));
        }
        Collateral collateral;
        try {
            collateral = source.forPlatform(pck.extensions().get().fmspc(), PckCa.issuerOf(pck.chain().orElseThrow().leaf()));
        } catch (AttestationException e) {
            return failed(Check.fail("collateral", e));
        }
        return verify(quote, collateral);
    }

    private TdxVerification failed(Check check) {
        return new TdxVerification(new VerificationResult(List.of(check)), Optional.empty(), Optional.empty(),
                Optional.empty(), clock.instant());
    }

    /**
     * Verifies {@code quote} with {@code collateral}. The TCB status is evaluated and reported; only
     * Revoked fails here, since which other statuses, and whether a debug TD, are acceptable is the
     * appraisal policy's call.
     */
    public TdxVerification verify(byte[] quoteBytes, Collateral collateral) {
        Instant now = clock.instant();
        List<Check> checks = new ArrayList<>();
        Quote quote;
        QeReportCertificationData qe;
        String pem;
        try {
            quote = Quote.parse(quoteBytes);
            qe = quote.qeReportCertificationData();
            pem = qe.pckCertificationData().pemChain();
        } catch (AttestationException e) {
            return failed(Check.fail("quote.format", e));
        }
        checks.add(header(quote.header()));
        PreparedCollateral pc = prepared(collateral);
        PckChain pck = chain(pem);

        checks.add(pck.usable() ? Check.pass("pck.chain", "chain of " + pck.chain().orElseThrow().certs().size()
                + " to a trusted root; PCK FMSPC " + pck.extensions().orElseThrow().fmspc().hex())
                : Check.fail("pck.chain", pck.problem()));
        checks.add(pck.chain().map(c -> c.validityProblem(now).map(p -> Check.fail("pck.validity", p))
                        .orElseGet(() -> Check.pass("pck.validity", "every certificate is valid at " + now)))
                .orElseGet(() -> Check.fail("pck.validity", "cannot be checked: " + pck.problem())));
        checks.add(crlCheck("collateral.root_ca_crl", pc.rootCrl.value(), pc.rootCrl.problem(), now, Optional.empty()));
        checks.add(crlCheck("collateral.pck_crl", pc.pckCrl.value().map(PreparedCollateral.Signed::value), pc.pckCrl.problem(), now,
                pc.pckCrl.value().flatMap(s -> s.chain().validityProblem(now))));
        checks.add(revocation(pck, pc));

        EnclaveReportBody qeReport = qe.qeReport();
        byte[] qeReportBytes = qeReport.toBytes();
        checks.add(pck.key().map(k -> k.verify(qeReportBytes, qe.qeReportSignature().toArray())
                        ? Check.pass("qe.report.signature", "signed by the PCK key")
                        : Check.fail("qe.report.signature", "does not verify with the PCK key"))
                .orElseGet(() -> Check.fail("qe.report.signature", "cannot be checked: " + pck.problem())));
        byte[] ak = quote.signatureData().attestationKey().toArray();
        byte[] auth = qe.qeAuthData().toArray();
        byte[] binding = HashAlgorithm.SHA256.hash(java.nio.ByteBuffer.allocate(ak.length + auth.length).put(ak).put(auth).array());
        byte[] reportData = qeReport.reportData().toArray();
        boolean bound = Arrays.equals(binding, Arrays.copyOf(reportData, 32)) && Bytes.of(reportData, 32, 32).isZero();
        checks.add(bound ? Check.pass("qe.report.binding", "REPORTDATA = SHA-256(attestation key || QE auth data) || 0^32")
                : Check.fail("qe.report.binding", "the QE report does not bind this attestation key"));
        checks.add(quoteSignature(quote, ak));

        checks.add(signedCheck("collateral.tcb_info", pc.tcbInfo, now, t -> t.issueDate(), t -> t.nextUpdate()));
        checks.add(signedCheck("collateral.qe_identity", pc.qeIdentity, now, q -> q.issueDate(), q -> q.nextUpdate()));
        Optional<TcbInfo> tcbInfo = pc.tcbInfo.value().map(PreparedCollateral.Signed::value);
        Optional<QeIdentity> qeIdentity = pc.qeIdentity.value().map(PreparedCollateral.Signed::value);
        checks.add(platformMatch(tcbInfo, pck, pc));
        Optional<TcbInfo.IsvLevel> qeLevel = qeIdentity.flatMap(q -> qeLevel(q, qeReport, checks));
        if (qeIdentity.isEmpty()) {
            checks.add(Check.fail("qe.identity", "cannot be checked: " + pc.qeIdentity.problem()));
        }
        Optional<TcbEvaluation> tcb = Optional.empty();
        if (tcbInfo.isPresent() && pck.extensions().isPresent() && qeLevel.isPresent()) {
            TcbEvaluation e = TcbEvaluation.evaluate(tcbInfo.get(), pck.extensions().get(), quote.body(), qeLevel.get());
            tcb = Optional.of(e);
            checks.add(e.status() != TcbStatus.REVOKED ? Check.pass("tcb.status", e.status() + ": " + e.detail())
                    : Check.fail("tcb.status", e.status() + ": " + e.detail()));
        } else {
            checks.add(Check.fail("tcb.status", "cannot be evaluated without a usable TCB Info, PCK and QE identity"));
        }
        TdClaims claims = TdClaims.of(quote.body());
        Optional<TdxVerification.Dates> dates = tcbInfo.isPresent() && qeIdentity.isPresent()
                ? Optional.of(new TdxVerification.Dates(tcbInfo.get().issueDate(), tcbInfo.get().nextUpdate(),
                qeIdentity.get().issueDate(), qeIdentity.get().nextUpdate())) : Optional.empty();
        return new TdxVerification(new VerificationResult(checks), Optional.of(claims), tcb, dates, now);
    }

    private PckChain chain(String pem) {
        return chains.size() < CACHE_LIMIT ? chains.computeIfAbsent(pem, p -> PckChain.of(p, anchors)) : PckChain.of(pem, anchors);
    }

    private PreparedCollateral prepared(Collateral c) {
        if (collaterals.size() >= CACHE_LIMIT) {
            collaterals.clear();
        }
        return collaterals.computeIfAbsent(c, k -> new PreparedCollateral(k, anchors));
    }

    private static Check header(QuoteHeader h) {
        if (h.attestationKeyType() != QuoteHeader.ATTESTATION_KEY_ECDSA_P256) {
            return Check.fail("quote.format", "attestation key type " + h.attestationKeyType() + " is not 2 (ECDSA P-256)");
        }
        if (h.teeType() != QuoteHeader.TEE_TYPE_TDX) {
            return Check.fail("quote.format", String.format("TEE type 0x%x is not TDX (0x81)", h.teeType()));
        }
        if (!h.qeVendorId().equals(QuoteHeader.INTEL_QE_VENDOR_ID)) {
            return Check.fail("quote.format", "QE vendor " + h.qeVendorId().hex() + " is not Intel's");
        }
        return Check.pass("quote.format", "TDX quote v" + h.version() + ", ECDSA P-256, Intel QE");
    }

    private Check quoteSignature(Quote quote, byte[] ak) {
        EcdsaKey key;
        try {
            Bytes id = Bytes.of(ak);
            key = attestationKeys.get(id);
            if (key == null) {
                key = EcdsaKey.raw(EcdsaKey.Curve.P256, "attestation key", ak);
                if (attestationKeys.size() < CACHE_LIMIT) {
                    attestationKeys.put(id, key);
                }
            }
        } catch (AttestationException e) {
            return Check.fail("quote.signature", e.getMessage());
        }
        return key.verify(quote.signedRegion(), quote.signatureData().signature().toArray())
                ? Check.pass("quote.signature", "header and body signed by the attestation key")
                : Check.fail("quote.signature", "does not verify with the attestation key");
    }

    private Check crlCheck(String name, Optional<X509CRL> crl, String problem, Instant now, Optional<String> issuerValidity) {
        if (crl.isEmpty()) {
            return Check.fail(name, problem);
        }
        if (issuerValidity.isPresent()) {
            return Check.fail(name, "issuer chain: " + issuerValidity.get());
        }
        return judged(name, Freshness.of(name.substring("collateral.".length()), crl.get(), now, grace),
                () -> "signed by its issuer, fresh until " + crl.get().getNextUpdate().toInstant());
    }

    private static Check revocation(PckChain pck, PreparedCollateral pc) {
        if (pck.chain().isEmpty() || pc.rootCrl.value().isEmpty() || pc.pckCrl.value().isEmpty()) {
            return Check.fail("pck.revocation", "cannot be checked without the PCK chain and both CRLs");
        }
        List<X509Certificate> certs = pck.chain().get().certs();
        X509Certificate leaf = certs.get(0);
        X509CRL pckCrl = pc.pckCrl.value().get().value();
        if (!pckCrl.getIssuerX500Principal().equals(leaf.getIssuerX500Principal())) {
            return Check.fail("pck.revocation", "the PCK CRL is issued by " + pckCrl.getIssuerX500Principal().getName()
                    + " but the PCK by " + leaf.getIssuerX500Principal().getName());
        }
        if (pckCrl.isRevoked(leaf)) {
            return Check.fail("pck.revocation", "the PCK certificate (serial " + leaf.getSerialNumber().toString(16) + ") is revoked");
        }
        X509CRL rootCrl = pc.rootCrl.value().get();
        for (X509Certificate c : certs.subList(1, certs.size())) {
            if (rootCrl.isRevoked(c)) {
                return Check.fail("pck.revocation", CertChain.name(c) + " (serial " + c.getSerialNumber().toString(16) + ") is revoked");
            }
        }
        return Check.pass("pck.revocation", "no certificate of the chain is revoked");
    }

    private <T> Check signedCheck(String name, PreparedCollateral.Part<PreparedCollateral.Signed<T>> part, Instant now,
                                         java.util.function.Function<T, Instant> issued, java.util.function.Function<T, Instant> next) {
        if (part.value().isEmpty()) {
            return Check.fail(name, part.problem());
        }
        PreparedCollateral.Signed<T> s = part.value().get();
        String what = name.substring("collateral.".length());
        Freshness f = Freshness.of(what, "issueDate", issued.apply(s.value()), Optional.of(next.apply(s.value())), now, grace);
        Optional<String> chain = s.chain().validityProblem(now);
        if (f.usable() && chain.isPresent()) {
            // within the grace period or not, a document is no better than the chain that signed it
            return Check.fail(name, what + " signing chain: " + chain.get());
        }
        return judged(name, f, () -> "signed by " + CertChain.name(s.chain().leaf()) + ", current until " + next.apply(s.value()));
    }

    /** A freshness finding as a check: stale fails, within the grace period passes with its note, fresh passes saying {@code fresh}. */
    private static Check judged(String name, Freshness f, java.util.function.Supplier<String> fresh) {
        return switch (f.verdict()) {
            case STALE -> Check.fail(name, f.detail());
            case WITHIN_GRACE -> Check.pass(name, f.detail());
            case FRESH -> Check.pass(name, fresh.get());
        };
    }

    private static Check platformMatch(Optional<TcbInfo> info, PckChain pck, PreparedCollateral pc) {
        if (info.isEmpty() || pck.extensions().isEmpty()) {
            return Check.fail("tcb_info.platform", "cannot be checked: " + (info.isEmpty() ? pc.tcbInfo.problem() : pck.problem()));
        }
        PckExtensions e = pck.extensions().get();
        if (!info.get().fmspc().equals(e.fmspc())) {
            return Check.fail("tcb_info.platform", "TCB Info is for FMSPC " + info.get().fmspc().hex() + ", the PCK is " + e.fmspc().hex());
        }
        if (!info.get().pceId().equals(e.pceId())) {
            return Check.fail("tcb_info.platform", "TCB Info is for PCE ID " + info.get().pceId().hex() + ", the PCK is " + e.pceId().hex());
        }
        return Check.pass("tcb_info.platform", "FMSPC " + e.fmspc().hex() + " and PCE ID " + e.pceId().hex() + " match");
    }

    /** Adds the qe.identity check; returns the QE's TCB level when its identity matches. */
    private static Optional<TcbInfo.IsvLevel> qeLevel(QeIdentity id, EnclaveReportBody qe, List<Check> checks) {
        String mismatch = null;
        if (!id.mrsigner().equals(qe.mrSigner())) {
            mismatch = "MRSIGNER " + qe.mrSigner().hex() + " is not " + id.mrsigner().hex();
        } else if (id.isvProdId() != qe.isvProdId()) {
            mismatch = "ISVPRODID " + qe.isvProdId() + " is not " + id.isvProdId();
        } else if ((qe.miscSelect() & u32(id.miscselectMask())) != u32(id.miscselect())) {
            mismatch = String.format("MISCSELECT 0x%08x masked is not %s", qe.miscSelect(), id.miscselect().hex());
        } else if (!masked(qe.attributes(), id.attributesMask()).equals(id.attributes())) {
            mismatch = "ATTRIBUTES " + qe.attributes().hex() + " masked are not " + id.attributes().hex();
        }
        if (mismatch != null) {
            checks.add(Check.fail("qe.identity", mismatch));
            return Optional.empty();
        }
        Optional<TcbInfo.IsvLevel> level = id.levels().stream().filter(l -> l.isvsvn() <= qe.isvSvn()).findFirst();
        checks.add(level.map(l -> Check.pass("qe.identity", "Intel TD QE, ISVSVN " + qe.isvSvn() + ": " + l.status()))
                .orElseGet(() -> Check.fail("qe.identity", "QE ISVSVN " + qe.isvSvn() + " is below every level (TcbNotSupported)")));
        return level;
    }

    /** MISCSELECT is a little-endian u32 in the report; Intel writes the identity's as big-endian hex. */
    private static long u32(Bytes be) {
        byte[] b = be.toArray();
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    private static Bytes masked(Bytes value, Bytes mask) {
        byte[] v = value.toArray();
        byte[] m = mask.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] &= m[i];
        }
        return Bytes.of(v);
    }
}
