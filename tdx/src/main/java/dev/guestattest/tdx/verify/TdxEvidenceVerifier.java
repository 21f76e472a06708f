// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.core.verify.WarmVerifiers;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TDX quotes for the appraiser; the collateral comes as aux part {@code collateral} (dcap-qvl JSON,
 * as {@code emulator collateral} writes it).
 */
public final class TdxEvidenceVerifier implements EvidenceVerifier {
    private static final int MAX_CACHED = 64;

    /** Verifiers per set of extra roots and grace: they keep what they checked (chains, CRLs, collateral signatures). */
    private final WarmVerifiers<Key, TdxVerifier> verifiers = new WarmVerifiers<>(TdxEvidenceVerifier::build);
    /** The service's collateral per set of roots it is checked against, keeping the last assembled collateral warm. */
    private final Map<Sourced, PcsCollateral> sources = new java.util.concurrent.ConcurrentHashMap<>();

    private record Sourced(List<X509Certificate> roots, CollateralService service) {
    }

    private record Key(List<X509Certificate> roots, Duration grace) {
        TrustAnchors anchors() {
            return TrustAnchors.intelAnd(roots);
        }
    }

    @Override
    public String format() {
        return "tdx";
    }

    /** Quote v4 or v5 with TEE type 0x81 (TDX), little-endian. */
    /** CC MR {@code index} 1..4 is rtmr0..3. */
    @Override
    public Optional<String> ccMeasurementRegister(int index) {
        return index >= 1 && index <= 4 ? Optional.of("rtmr" + (index - 1)) : Optional.empty();
    }

    @Override
    public boolean recognizes(byte[] e) {
        return e.length > 48 && (e[0] == 4 || e[0] == 5) && e[1] == 0 && (e[4] & 0xff) == 0x81 && e[5] == 0 && e[6] == 0 && e[7] == 0;
    }

    private static TdxVerifier build(Clock clock, Key key) {
        TdxVerifier.Builder b = TdxVerifier.builder().clock(clock).grace(key.grace());
        key.roots().forEach(b::trust);
        return b.build();
    }

    /** With no collateral service: the evidence must bring its collateral (aux part {@code collateral}). */
    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        return verify(evidence, at, roots, CollateralService.offline());
    }

    /**
     * The collateral comes from the service (cache, directories, PCS). Collateral the guest sends is
     * only a fallback for when the service has none: it is verified like anything fetched, but an
     * older, still unexpired TCB Info could hide a TCB recovery, so the service's copy wins.
     */
    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots, CollateralService service) {
        Optional<Collateral> sent;
        try {
            sent = evidence.aux("collateral").map(c -> Collateral.fromDcapQvlJson(c.toArray()));
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("collateral", e));
        }
        TdxVerifier verifier = verifiers.at(at, new Key(List.copyOf(roots), service.grace()));
        if (sent.isPresent() && service.fetchesNothing()) {
            return noted(of(verifier.verify(evidence.bytes().toArray(), sent.get())), "sent with the evidence (verified like fetched"
                    + " collateral); no collateral service is configured");
        }
        if (sources.size() > MAX_CACHED) {
            sources.clear();
        }
        PcsCollateral fetched = sources.computeIfAbsent(new Sourced(List.copyOf(roots), service),
                k -> new PcsCollateral(service, new Key(k.roots(), service.grace()).anchors()));
        java.util.concurrent.atomic.AtomicReference<String> used = new java.util.concurrent.atomic.AtomicReference<>();
        TdxVerification v = verifier.verify(evidence.bytes().toArray(), (fmspc, ca) -> {
            try {
                PcsCollateral.Fetched f = fetched.fetch(fmspc, ca);
                used.set("from the collateral service: " + f.provenance());
                return f.collateral();
            } catch (AttestationException e) {
                if (sent.isEmpty()) {
                    throw AttestationException.of(e.reason(), e.getMessage() + "; the evidence brought no collateral (aux part 'collateral')");
                }
                used.set("sent with the evidence (verified like fetched collateral), because the service had none: " + e.getMessage());
                return sent.get();
            }
        });
        return used.get() == null ? of(v) : noted(of(v), used.get());
    }

    /** {@code v} with a passing {@code collateral} check saying where the collateral came from. */
    private static VendorVerification noted(VendorVerification v, String source) {
        List<Check> checks = new java.util.ArrayList<>(v.result().checks());
        checks.add(Check.pass("collateral", source));
        return new VendorVerification(new VerificationResult(checks), v.claims(), v.tcbStatus(), v.vendorClaims());
    }

    /** A TDX verdict as the appraiser takes it: the common claims, the TCB status in Intel's words, the TD's own claims. */
    public static VendorVerification of(TdxVerification v) {
        return new VendorVerification(v.result(), v.claims().map(TdClaims::common), v.tcb().map(t -> t.status().intelName()),
                v.claims().<Map<String, Object>>map(c -> Map.of("mrconfigid", c.mrConfigId().hex(), "mrowner", c.mrOwner().hex(),
                        "mrownerconfig", c.mrOwnerConfig().hex(), "mrseam", c.mrSeam().hex(), "td_attributes", c.tdAttributes().hex(),
                        "xfam", c.xfam().hex(), "tee_tcb_svn", c.teeTcbSvn().hex())).orElse(Map.of()));
    }
}
