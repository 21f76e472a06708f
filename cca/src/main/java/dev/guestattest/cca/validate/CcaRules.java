// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.cca.abi.CcaToken;
import dev.guestattest.cca.abi.PlatformClaims;
import dev.guestattest.cca.abi.RealmClaims;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.cose.CoseSign1;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.TeeRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CCA's own rules (the appraisal policy's {@code tee_rules.cca}): the platform's implementation,
 * configuration and software components and the realm's RIM, personalization value, REMs and RAK
 * hash algorithm against reference values (formats.md §3.5 step 5, veraison's rv.json under
 * {@code reference_values}). The appraiser judges only a token whose signatures held; the platform's
 * security lifecycle is the common {@code debug} claim, judged by the appraiser like every TEE's.
 */
public record CcaRules(CcaReferenceValues referenceValues) implements TeeRules {
    private record Section(JsonNode referenceValues) {
    }

    public static CcaRules parse(String where, JsonNode section) {
        Section s = dev.guestattest.core.codec.Json.section(where, section, Section.class);
        if (s.referenceValues() == null) {
            throw AttestationException.invalid(where + ".reference_values", "is required (veraison rv.json: platform and realm arrays)");
        }
        return new CcaRules(CcaReferenceValues.fromJson(s.referenceValues().toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public List<Finding> judge(Evidence evidence) {
        CcaToken t = CcaToken.parse(evidence.bytes().toArray());
        PlatformClaims platform = PlatformClaims.parse(CoseSign1.parse("platform token", t.platformToken().toArray()).payload());
        RealmClaims realm = RealmClaims.parse(CoseSign1.parse("realm token", t.realmToken().toArray()).payload());
        return judge(platform, realm);
    }

    /** The findings on claims already read from a verified token. */
    public List<Finding> judge(PlatformClaims platform, RealmClaims realm) {
        return List.of(new Finding(platform(platform, referenceValues), Affects.EXECUTABLES),
                new Finding(realm(realm, referenceValues), Affects.EXECUTABLES));
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
