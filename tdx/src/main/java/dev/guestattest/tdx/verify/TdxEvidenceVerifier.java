// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * TDX quotes for the appraiser; the collateral comes as aux part {@code collateral} (dcap-qvl JSON,
 * as {@code emulator collateral} writes it).
 */
public final class TdxEvidenceVerifier implements EvidenceVerifier {
    private static final long NOW_TOLERANCE_SECONDS = 5;
    private static final int MAX_CACHED = 64;

    /** Verifiers on the system clock, per set of extra roots: they keep what they checked (chains, CRLs, collateral signatures). */
    private final Map<List<X509Certificate>, TdxVerifier> current = new java.util.concurrent.ConcurrentHashMap<>();

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

    /** "Now" (within a few seconds) reuses a warm verifier; another instant gets a fresh one fixed at it. */
    private TdxVerifier verifier(Instant at, List<X509Certificate> roots) {
        if (Math.abs(Duration.between(at, Instant.now()).toSeconds()) <= NOW_TOLERANCE_SECONDS) {
            if (current.size() > MAX_CACHED) {
                current.clear();
            }
            return current.computeIfAbsent(List.copyOf(roots), r -> build(Clock.systemUTC(), r));
        }
        return build(Clock.fixed(at, ZoneOffset.UTC), roots);
    }

    private static TdxVerifier build(Clock clock, List<X509Certificate> roots) {
        TdxVerifier.Builder b = TdxVerifier.builder().clock(clock);
        roots.forEach(b::trust);
        return b.build();
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        Collateral collateral;
        try {
            collateral = Collateral.fromDcapQvlJson(evidence.aux("collateral").orElseThrow(() -> AttestationException.invalid("collateral",
                    "TDX needs its collateral (aux part 'collateral')")).toArray());
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("collateral", e.getMessage()));
        }
        return of(verifier(at, roots).verify(evidence.bytes().toArray(), collateral));
    }

    /** A TDX verdict as the appraiser takes it: the common claims, the TCB status in Intel's words, the TD's own claims. */
    public static VendorVerification of(TdxVerification v) {
        return new VendorVerification(v.result(), v.claims().map(TdClaims::common), v.tcb().map(t -> t.status().intelName()),
                v.claims().<Map<String, Object>>map(c -> Map.of("mrconfigid", c.mrConfigId().hex(), "mrowner", c.mrOwner().hex(),
                        "mrownerconfig", c.mrOwnerConfig().hex(), "mrseam", c.mrSeam().hex(), "td_attributes", c.tdAttributes().hex(),
                        "xfam", c.xfam().hex(), "tee_tcb_svn", c.teeTcbSvn().hex())).orElse(Map.of()));
    }
}
