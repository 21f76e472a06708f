package dev.guestattest.cca.validate;

import dev.guestattest.cca.abi.PlatformClaims;
import dev.guestattest.cca.abi.RealmClaims;
import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Appraises a verified CCA token's claims against reference values (formats.md §3.5 step 5): the
 * platform is secured, its implementation is known and its configuration and software components
 * are a known-good state, and the realm's RIM is known with its personalization value, REMs and RAK
 * hash algorithm where the reference states them. Runs only on a token whose signatures held:
 * claims from an unverified token are not appraised, and the result then stays untrusted.
 */
public final class CcaValidator {
    private CcaValidator() {
    }

    /** Without reference values: the verifier's checks and the platform's security lifecycle (debug unless secured). */
    public static VerificationResult lifecycleOnly(CcaVerifier.Result verified, boolean allowUnsecured) {
        List<Check> checks = new ArrayList<>(verified.result().checks());
        verified.platform().ifPresent(p -> checks.add(lifecycle(p, allowUnsecured)));
        return new VerificationResult(checks);
    }

    /** The verifier's checks followed by the appraisal's; {@code allowUnsecured} accepts a debug or unprovisioned lifecycle (reported). */
    public static VerificationResult appraise(CcaVerifier.Result verified, CcaReferenceValues refs, boolean allowUnsecured) {
        List<Check> checks = new ArrayList<>(verified.result().checks());
        if (!verified.trusted() || verified.platform().isEmpty() || verified.realm().isEmpty()) {
            checks.add(Check.fail("reference_values", "not appraised: the token did not verify"));
            return new VerificationResult(checks);
        }
        PlatformClaims platform = verified.platform().get();
        checks.add(lifecycle(platform, allowUnsecured));
        checks.add(platform(platform, refs));
        checks.add(realm(verified.realm().get(), refs));
        return new VerificationResult(checks);
    }

    static Check lifecycle(PlatformClaims p, boolean allowUnsecured) {
        String state = String.format("security lifecycle 0x%04x", p.lifecycle());
        if (p.secured()) {
            return Check.pass("platform.lifecycle", state + ": secured");
        }
        return allowUnsecured ? Check.pass("platform.lifecycle", state + " is not secured (allowed)")
                : Check.fail("platform.lifecycle", state + " is not in the secured range 0x3000-0x30ff");
    }

    static Check platform(PlatformClaims p, CcaReferenceValues refs) {
        List<CcaReferenceValues.Platform> known = refs.platforms().stream().filter(r -> r.implementationId().equals(p.implementationId())).toList();
        if (known.isEmpty()) {
            return Check.fail("platform.reference", "implementation " + p.implementationId().hex() + " has no reference values");
        }
        for (CcaReferenceValues.Platform r : known) {
            if (r.config().map(c -> c.equals(p.config())).orElse(true) && sameComponents(r.components(), p.softwareComponents())) {
                return Check.pass("platform.reference", "configuration and " + p.softwareComponents().size() + " software components are a known state");
            }
        }
        return Check.fail("platform.reference", "configuration or software components match none of the " + known.size()
                + " known states of implementation " + p.implementationId().hex());
    }

    /** Every component matches a distinct reference component and none is missing or extra; order does not matter. */
    private static boolean sameComponents(List<CcaReferenceValues.Component> expected, List<PlatformClaims.SoftwareComponent> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        List<CcaReferenceValues.Component> unused = new ArrayList<>(expected);
        for (PlatformClaims.SoftwareComponent a : actual) {
            Optional<CcaReferenceValues.Component> m = unused.stream().filter(e -> matches(e, a)).findFirst();
            if (m.isEmpty()) {
                return false;
            }
            unused.remove(m.get());
        }
        return true;
    }

    private static boolean matches(CcaReferenceValues.Component e, PlatformClaims.SoftwareComponent a) {
        return e.measurement().equals(a.measurement()) && e.signerId().equals(a.signerId()) && e.type().map(t -> t.equals(a.type())).orElse(true)
                && e.version().map(v -> a.version().map(v::equals).orElse(false)).orElse(true);
    }

    static Check realm(RealmClaims r, CcaReferenceValues refs) {
        List<CcaReferenceValues.Realm> known = refs.realms().stream().filter(x -> x.rim().equals(r.rim())).toList();
        if (known.isEmpty()) {
            return Check.fail("realm.reference", "RIM " + r.rim().hex() + " has no reference values");
        }
        String why = "";
        for (CcaReferenceValues.Realm x : known) {
            Optional<String> mismatch = x.personalizationValue().filter(v -> !v.equals(r.personalizationValue())).map(v -> "personalization value")
                    .or(() -> x.rakHashAlgorithm().filter(a -> !a.equals(r.rakHashAlgorithm())).map(a -> "RAK hash algorithm"))
                    .or(() -> !x.rems().isEmpty() && !x.rems().equals(r.rems()) ? Optional.of("REMs") : Optional.empty());
            if (mismatch.isEmpty()) {
                return Check.pass("realm.reference", "RIM" + (x.personalizationValue().isPresent() ? ", personalization value" : "")
                        + (x.rems().isEmpty() ? "" : ", REMs") + " as referenced");
            }
            why = mismatch.get();
        }
        return Check.fail("realm.reference", "the RIM is known but its " + why + " differ" + (why.endsWith("s") ? "" : "s") + " from the reference");
    }

}
