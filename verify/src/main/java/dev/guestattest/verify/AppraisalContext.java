// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.freshness.Nonces;
import dev.guestattest.verify.initdata.InitData;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an appraisal is judged against: the policy, the report data the caller expects, the time,
 * extra roots, a store of reference values with provenance (besides the policy's own), the
 * nonce the evidence answers with the registry that issued it (redeemed by the appraisal: single use),
 * and the init-data the guest was launched with.
 */
public record AppraisalContext(Policy policy, Optional<Bytes> expectedReportData, Instant at, List<X509Certificate> roots,
                               ReferenceValues store, Optional<Challenge> challenge, Optional<InitData> initData) {
    public AppraisalContext {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(expectedReportData, "expectedReportData");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(initData, "initData");
        roots = List.copyOf(roots);
    }

    /** A nonce the appraiser issued and the registry that knows it. */
    public record Challenge(Nonces nonces, Bytes nonce) {
        public Challenge {
            Objects.requireNonNull(nonces, "nonces");
            Objects.requireNonNull(nonce, "nonce");
        }
    }

    public static AppraisalContext of(Policy policy, Instant at) {
        return new AppraisalContext(policy, Optional.empty(), at, List.of(), ReferenceValues.EMPTY, Optional.empty(), Optional.empty());
    }

    public AppraisalContext withReportData(Bytes expected) {
        return new AppraisalContext(policy, Optional.of(expected), at, roots, store, challenge, initData);
    }

    public AppraisalContext withRoots(List<X509Certificate> extra) {
        return new AppraisalContext(policy, expectedReportData, at, extra, store, challenge, initData);
    }

    public AppraisalContext withStore(ReferenceValues values) {
        return new AppraisalContext(policy, expectedReportData, at, roots, values, challenge, initData);
    }

    /**
     * The evidence answers {@code nonce}, issued by {@code nonces}: the appraisal redeems it and fails
     * an unknown, expired or reused one. The report data binding the nonce is set separately
     * ({@link #withReportData}, e.g. from {@link dev.guestattest.verify.freshness.RuntimeData}).
     */
    public AppraisalContext withNonce(Nonces nonces, Bytes nonce) {
        return new AppraisalContext(policy, expectedReportData, at, roots, store, Optional.of(new Challenge(nonces, nonce)), initData);
    }

    /**
     * The guest was launched with {@code data}: the evidence must carry its digest where its TEE
     * binds init-data ({@link dev.guestattest.core.verify.InitDataField}), and the appraisal carries
     * its claims for the policy and the token.
     */
    public AppraisalContext withInitData(InitData data) {
        return new AppraisalContext(policy, expectedReportData, at, roots, store, challenge, Optional.of(data));
    }
}
