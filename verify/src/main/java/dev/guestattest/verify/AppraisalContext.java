package dev.guestattest.verify;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an appraisal is judged against: the policy, the report data the caller expects, the time,
 * extra roots, and a store of reference values with provenance (besides the policy's own).
 */
public record AppraisalContext(Policy policy, Optional<Bytes> expectedReportData, Instant at, List<X509Certificate> roots,
                               ReferenceValues store) {
    public AppraisalContext {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(expectedReportData, "expectedReportData");
        Objects.requireNonNull(at, "at");
        roots = List.copyOf(roots);
    }

    public static AppraisalContext of(Policy policy, Instant at) {
        return new AppraisalContext(policy, Optional.empty(), at, List.of(), ReferenceValues.EMPTY);
    }

    public AppraisalContext withReportData(Bytes expected) {
        return new AppraisalContext(policy, Optional.of(expected), at, roots, store);
    }

    public AppraisalContext withRoots(List<X509Certificate> extra) {
        return new AppraisalContext(policy, expectedReportData, at, extra, store);
    }

    public AppraisalContext withStore(ReferenceValues values) {
        return new AppraisalContext(policy, expectedReportData, at, roots, values);
    }
}
