// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One entry point for every TEE: picks the vendor verifier (named, or detected from the bytes),
 * lets it check signatures and chains, then judges the common claims against the policy into an
 * AR4SI trust vector. It knows no vendor internals. Fails closed: unknown evidence, a failed
 * signature or a check it cannot make never affirms.
 */
public final class Appraiser {
    private static final System.Logger LOG = System.getLogger("dev.guestattest.verify");
    private final List<EvidenceVerifier> verifiers;
    private final CollateralService collateral;

    /** With no collateral service: TDX and SNP evidence must bring its collateral. */
    public Appraiser(List<EvidenceVerifier> verifiers) {
        this(verifiers, CollateralService.offline());
    }

    private Appraiser(List<EvidenceVerifier> verifiers, CollateralService collateral) {
        this.verifiers = List.copyOf(verifiers);
        this.collateral = collateral;
    }

    /**
     * This appraiser fetching and caching the collateral evidence does not bring (TDX TCB Info, SNP
     * VCEKs, CRLs) through {@code service}.
     */
    public Appraiser withCollateral(CollateralService service) {
        return new Appraiser(verifiers, service);
    }

    public CollateralService collateral() {
        return collateral;
    }

    /** Every TEE's verifier on the class path. */
    public static Appraiser discover() {
        return of(Tees.discover());
    }

    public static Appraiser of(Tees tees) {
        return new Appraiser(tees.all().stream().map(Tee::verifier).toList());
    }

    private EvidenceVerifier verifier(String format) {
        return verifiers.stream().filter(v -> v.format().equals(format)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no verifier for " + format + " judged its evidence"));
    }

    public List<String> formats() {
        return verifiers.stream().map(EvidenceVerifier::format).toList();
    }

    /**
     * The request a verifier must make before {@code format}'s evidence can be (s390's ARCB), from
     * the verifier's trust anchors; empty for TEEs that need none.
     */
    public Optional<dev.guestattest.core.verify.SupplementalChallenge> challenge(String format, Map<String, Bytes> trusted,
                                                                              java.security.SecureRandom random) {
        return verifiers.stream().filter(v -> v.format().equals(format)).findFirst().flatMap(v -> v.challenge(trusted, random));
    }

    public Appraisal appraise(Evidence evidence, AppraisalContext context) {
        Optional<EvidenceVerifier> verifier = evidence.format().map(f -> verifiers.stream().filter(v -> v.format().equals(f)).findFirst())
                .orElseGet(() -> verifiers.stream().filter(v -> v.recognizes(evidence.bytes().toArray())).findFirst());
        if (verifier.isEmpty()) {
            String what = evidence.format().map(f -> "no verifier for format '" + f + "'").orElse("not a format any verifier recognizes");
            return result("unknown", TrustVector.NO_CLAIMS.withInstanceIdentity(TrustVector.UNEXPECTED_EVIDENCE),
                    List.of(Check.fail(PolicyChecks.FORMAT, what + " (known: " + formats() + ")")), Optional.empty(), Map.of(), context);
        }
        return judge(verifier.get().format(), evidence, () -> failClosed(verifier.get(), evidence, context, collateral), context);
    }

    /**
     * Judges evidence a vendor verifier has already verified (as {@code verify} does with its own
     * collateral sources): the same policy rules, in the same order, as {@link #appraise}.
     */
    public Appraisal judge(String format, Evidence evidence, VendorVerification verified, AppraisalContext context) {
        return judge(format, evidence, () -> verified, context);
    }

    private Appraisal judge(String format, Evidence evidence, java.util.function.Supplier<VendorVerification> verification,
                            AppraisalContext context) {
        Policy policy = context.policy();
        List<Check> checks = new ArrayList<>();
        if (!policy.tees().contains(format)) {
            checks.add(Check.fail(PolicyChecks.TEE, format + " is not among the accepted " + policy.tees()));
            return result(format, TrustVector.NO_CLAIMS.withInstanceIdentity(TrustVector.UNRECOGNIZED_INSTANCE), checks, Optional.empty(),
                    Map.of(), context);
        }
        // the nonce is used up by any attempt, whatever the evidence turns out to be
        boolean fresh = freshness(context, checks);
        VendorVerification v = verification.get();
        v.result().checks().stream().filter(c -> c.name().startsWith(PolicyChecks.PREFIX)).findFirst().ifPresent(c -> {
            throw new IllegalStateException("the " + format + " verifier emitted " + c.name() + ": only the appraiser judges policy");
        });
        checks.addAll(v.result().checks());
        if (!v.result().trusted() || v.claims().isEmpty()) {
            // claims of evidence that did not verify are not passed on: nobody vouches for them
            return result(format, TrustVector.NO_CLAIMS.withInstanceIdentity(TrustVector.CRYPTO_VALIDATION_FAILED)
                    .withHardware(TrustVector.CRYPTO_VALIDATION_FAILED), checks, Optional.empty(), Map.of(), context);
        }
        checks.add(Check.pass(PolicyChecks.TEE, format + " is accepted"));
        CommonClaims c = v.claims().get();
        TrustVector tv = TrustVector.NO_CLAIMS.withInstanceIdentity(TrustVector.TRUSTWORTHY_INSTANCE)
                .withHardware(TrustVector.GENUINE_HARDWARE).withRuntimeOpaque(TrustVector.ENCRYPTED_MEMORY);
        if (!fresh) {
            tv = tv.withInstanceIdentity(TrustVector.UNTRUSTWORTHY_INSTANCE);
        }
        tv = reportData(c, context.expectedReportData(), tv, checks);
        tv = InitDataAppraisal.appraise(c, context.initData(), policy.initData(), tv, checks);
        tv = tcb(v.tcbStatus(), policy.acceptedTcbStatus(), tv, checks);
        tv = minimumTcb(c, policy.minimumTcb().getOrDefault(format, Map.of()), tv, checks);
        tv = debug(c, policy.allowDebug() || c.debug().isEmpty() && !policy.requireClaims(), tv, checks);
        tv = vmpl(c, policy.vmpls(), tv, checks);
        TeeRulesJudgement vendor = TeeRulesJudgement.judge(Optional.ofNullable(policy.teeRules().get(format)), evidence, tv, checks);
        tv = executables(format, c, policy, context.store(), vendor, checks);
        if (policy.eventLog().isPresent() && !EventLogAppraisal.appraise(policy.eventLog().get(), evidence, c, verifier(format), checks)) {
            tv = tv.withExecutables(Math.max(tv.executables(), TrustVector.UNRECOGNIZED_EXECUTABLES));
        }
        return result(format, tv, checks, v.claims(), v.vendorClaims(), context);
    }

    /**
     * Redeems the context's nonce (single use, within the registry's lifetime) and applies the
     * policy's freshness window to its age. A policy that asks for freshness fails an appraisal
     * given no nonce: there is nothing to show the evidence is not replayed.
     */
    private static boolean freshness(AppraisalContext context, List<Check> checks) {
        Optional<java.time.Duration> window = context.policy().freshness();
        if (context.challenge().isEmpty()) {
            if (window.isPresent()) {
                checks.add(Check.fail(PolicyChecks.FRESHNESS, "the policy requires a nonce the appraiser issued; none was given"));
                return false;
            }
            return true;
        }
        AppraisalContext.Challenge ch = context.challenge().get();
        Optional<java.time.Instant> issued = ch.nonces().redeemIssued(ch.nonce());
        if (issued.isEmpty()) {
            checks.add(Check.fail(PolicyChecks.NONCE, "was not issued here, has expired, or was already used"));
            return false;
        }
        checks.add(Check.pass(PolicyChecks.NONCE, "issued here, used once"));
        if (window.isPresent()) {
            java.time.Duration age = java.time.Duration.between(issued.get(), context.at());
            if (age.compareTo(window.get()) > 0) {
                checks.add(Check.fail(PolicyChecks.FRESHNESS, "the nonce is " + age.toSeconds() + " s old, over the policy's "
                        + window.get().toSeconds() + " s"));
                return false;
            }
            checks.add(Check.pass(PolicyChecks.FRESHNESS, "the nonce is " + age.toSeconds() + " s old"));
        }
        return true;
    }

    /** Each component the policy names must be present and at least its minimum; an older TCB has known vulnerabilities. */
    private static TrustVector minimumTcb(CommonClaims c, Map<String, Long> minimum, TrustVector tv, List<Check> checks) {
        boolean ok = true;
        for (Map.Entry<String, Long> m : new java.util.TreeMap<>(minimum).entrySet()) {
            String name = PolicyChecks.MINIMUM_TCB + "." + m.getKey();
            Long svn = c.tcb().get(m.getKey());
            if (svn == null) {
                checks.add(Check.fail(name, "the evidence has no such TCB component (it has " + c.tcb().keySet() + ")"));
                ok = false;
            } else if (svn < m.getValue()) {
                checks.add(Check.fail(name, svn + " is below the minimum " + m.getValue()));
                ok = false;
            } else {
                checks.add(Check.pass(name, svn + " >= " + m.getValue()));
            }
        }
        return ok ? tv : tv.withHardware(Math.max(tv.hardware(), TrustVector.UNSAFE_HARDWARE));
    }

    /** Report data that is not the caller's means replayed or foreign evidence: the instance is not trusted for this exchange. */
    private static TrustVector reportData(CommonClaims c, Optional<Bytes> expected, TrustVector tv, List<Check> checks) {
        if (expected.isEmpty()) {
            return tv;
        }
        if (expected.get().equals(c.reportData())) {
            checks.add(Check.pass(PolicyChecks.REPORT_DATA, "equals the expected value"));
            return tv;
        }
        checks.add(Check.fail(PolicyChecks.REPORT_DATA, "is " + c.reportData().hex() + ", expected " + expected.get().hex()));
        return tv.withInstanceIdentity(TrustVector.UNTRUSTWORTHY_INSTANCE);
    }

    private static TrustVector tcb(Optional<String> status, Set<String> accepted, TrustVector tv, List<Check> checks) {
        if (status.isEmpty()) {
            return tv;
        }
        if (accepted.contains(status.get())) {
            checks.add(Check.pass(PolicyChecks.TCB_STATUS, status.get()));
            return tv;
        }
        checks.add(Check.fail(PolicyChecks.TCB_STATUS, status.get() + " is not among the accepted " + accepted));
        return tv.withHardware(TrustVector.UNSAFE_HARDWARE);
    }

    private static TrustVector debug(CommonClaims c, boolean allowDebug, TrustVector tv, List<Check> checks) {
        if (c.debug().isEmpty()) {
            if (allowDebug) {
                return tv;
            }
            checks.add(Check.fail(PolicyChecks.DEBUG, "the evidence does not say whether the host can debug the guest"));
            return tv.withConfiguration(TrustVector.UNSAFE_CONFIG);
        }
        if (!c.debug().get()) {
            checks.add(Check.pass(PolicyChecks.DEBUG, "off"));
            return tv.withConfiguration(TrustVector.APPROVED_CONFIG);
        }
        if (allowDebug) {
            checks.add(Check.pass(PolicyChecks.DEBUG, "on, allowed by the policy"));
            return tv.withConfiguration(TrustVector.UNSAFE_CONFIG);
        }
        checks.add(Check.fail(PolicyChecks.DEBUG, "on: the host can read and change the guest's memory"));
        return tv.withConfiguration(TrustVector.UNSUPPORTABLE_CONFIG);
    }

    /**
     * Evidence asked for by a less privileged level than the policy accepts (SNP VMPL 1-3: the guest
     * OS under an SVSM, or anything it runs) binds report data the measured firmware never vouched
     * for. Judged after debug, which sets the configuration claim outright. A TEE without such levels
     * has nothing to judge.
     */
    private static TrustVector vmpl(CommonClaims c, Set<Integer> accepted, TrustVector tv, List<Check> checks) {
        if (c.vmpl().isEmpty()) {
            return tv;
        }
        if (accepted.contains(c.vmpl().get())) {
            checks.add(Check.pass(PolicyChecks.VMPL, "made at VMPL " + c.vmpl().get()));
            return tv;
        }
        checks.add(Check.fail(PolicyChecks.VMPL, "made at VMPL " + c.vmpl().get() + ", not among the accepted " + new java.util.TreeSet<>(accepted)));
        return tv.withConfiguration(TrustVector.UNSUPPORTABLE_CONFIG);
    }

    /**
     * The initial measurement and registers against the policy's reference values and the store's.
     * A register is judged when the policy or the store references it for this TEE.
     */
    private static TrustVector executables(String tee, CommonClaims c, Policy policy, ReferenceValues store, TeeRulesJudgement vendor,
                                           List<Check> checks) {
        TrustVector tv = vendor.trustVector();
        boolean storeInitial = store.entries().stream().anyMatch(e -> e.tee().equals(tee) && e.claim().equals("initial_measurement"));
        java.util.SortedSet<String> registers = new java.util.TreeSet<>(policy.runtimeRegisters().keySet());
        store.entries().stream().filter(e -> e.tee().equals(tee) && e.claim().startsWith("runtime_registers."))
                .forEach(e -> registers.add(e.claim().substring("runtime_registers.".length())));
        boolean known = vendor.executablesApproved().orElse(true);
        if (policy.initialMeasurements().isEmpty() && !storeInitial && registers.isEmpty()) {
            if (vendor.executablesApproved().isPresent() || !policy.requireClaims()) {
                // the TEE's own reference values judged them, or verify was given none to judge by
                return vendor.executablesApproved().map(ok -> tv.withExecutables(ok ? TrustVector.APPROVED_BOOT
                        : TrustVector.UNRECOGNIZED_EXECUTABLES)).orElse(tv);
            }
            checks.add(Check.fail(PolicyChecks.REFERENCE_VALUES, "the policy has none: no executable can be approved"));
            known = false;
        } else if (!policy.initialMeasurements().isEmpty() || storeInitial) {
            // a policy may reference registers alone: a TPM has no initial measurement
            known &= reference(tee, "initial_measurement", c.initialMeasurement(), policy.initialMeasurements(), store, checks);
        }
        for (String name : registers) {
            known &= reference(tee, "runtime_registers." + name, Optional.ofNullable(c.runtimeRegisters().get(name)),
                    policy.runtimeRegisters().getOrDefault(name, Set.of()), store, checks);
        }
        if (!known) {
            return tv.withExecutables(TrustVector.UNRECOGNIZED_EXECUTABLES);
        }
        return tv.withExecutables(registers.isEmpty() ? TrustVector.APPROVED_BOOT : TrustVector.APPROVED_RUNTIME);
    }

    private static boolean reference(String tee, String claim, Optional<Bytes> value, Set<Bytes> policyValues, ReferenceValues store,
                                     List<Check> checks) {
        String name = PolicyChecks.PREFIX + claim;
        if (value.isEmpty()) {
            checks.add(Check.fail(name, "the evidence has no such claim"));
            return false;
        }
        if (policyValues.contains(value.get())) {
            checks.add(Check.pass(name, "matches a reference value of the policy"));
            return true;
        }
        Optional<ReferenceValues.Entry> e = store.find(tee, claim, value.get());
        if (e.isPresent()) {
            checks.add(Check.pass(name, "matches a reference value " + e.get().provenance()));
            return true;
        }
        checks.add(Check.fail(name, value.get().hex() + " matches no reference value"));
        return false;
    }

    private static Appraisal result(String format, TrustVector tv, List<Check> checks, Optional<CommonClaims> claims,
                                    Map<String, Object> vendorClaims, AppraisalContext context) {
        return new Appraisal(format, tv.status(), tv, checks, claims, vendorClaims, context.policy().id(), context.policy().sha256().hex(),
                context.at(), claims.isPresent() ? context.initData() : Optional.empty());
    }

    /**
     * A vendor verifier promises typed failures; a parser bug on crafted bytes must still be a
     * refusal of that evidence, never an error that escapes the appraisal (and its audit).
     */
    private static VendorVerification failClosed(EvidenceVerifier verifier, Evidence evidence, AppraisalContext context,
                                                 CollateralService collateral) {
        try {
            return verifier.verify(evidence, context.at(), context.roots(), collateral);
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("evidence.format", e));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "the " + verifier.format() + " verifier failed on malformed evidence", e);
            return VendorVerification.failed(Check.fail("evidence.format", "malformed " + verifier.format() + " evidence ("
                    + e.getClass().getSimpleName() + ")"));
        }
    }
}
