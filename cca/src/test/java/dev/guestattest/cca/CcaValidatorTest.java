// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.cca.abi.PlatformClaims;
import dev.guestattest.cca.validate.CcaReferenceValues;
import dev.guestattest.cca.validate.CcaRules;
import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.cca.verify.Cpak;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Appraisal of the vector tokens against veraison's rv.json (which describes cca-token-01's platform and realm). */
class CcaValidatorTest {
    static final String DIR = CcaTokenTest.DIR;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CcaVerifier.Result token01() {
        return CcaVerifier.verify(Vectors.read(DIR + "cca-token-01.cbor"), Cpak.fromJson(Vectors.read(DIR + "cpak.json")));
    }

    private static CcaReferenceValues rv(Consumer<ObjectNode> change) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(Vectors.read(DIR + "rv.json"));
        change.accept(n);
        return CcaReferenceValues.fromJson(JSON.writeValueAsBytes(n));
    }

    private static ObjectNode realmRv(ObjectNode n) {
        return (ObjectNode) n.get("realm").get(0);
    }

    private static ObjectNode token01Platform(ObjectNode n) {
        for (var p : n.get("platform")) {
            if (p.get("implementation-id").asText().startsWith("7F454C46")) {
                return (ObjectNode) p;
            }
        }
        throw new AssertionError("rv.json has no entry for token 01's implementation");
    }

    /** The verifier's checks, then the rules' findings on a token that verified (the appraiser prefixes them with policy.). */
    private static VerificationResult appraise(CcaVerifier.Result r, CcaReferenceValues refs) {
        List<Check> checks = new java.util.ArrayList<>(r.result().checks());
        if (!r.trusted()) {
            checks.add(Check.fail("reference_values", "not appraised: the token did not verify"));
        } else {
            new CcaRules(refs).judge(r.platform().orElseThrow(), r.realm().orElseThrow()).forEach(f -> checks.add(f.check()));
        }
        return new VerificationResult(checks);
    }

    private static String failure(VerificationResult r) {
        return r.firstFailure().map(Check::toString).orElse("none");
    }

    @Test
    void token01IsAKnownPlatformAndRealm() throws Exception {
        VerificationResult r = appraise(token01(), rv(n -> { }));
        assertThat(r.failures()).isEmpty();
        assertThat(r.checks()).extracting(Check::name).containsExactly("token.format", "realm.signature", "realm.binding", "platform.signature",
                "platform.reference", "realm.reference");
        assertThat(token01().common().orElseThrow().debug()).as("lifecycle 0x3003 is secured").contains(false);
        assertThat(r.check("platform.reference").orElseThrow().detail()).contains("4 software components");
    }

    @Test
    void theOtherTokensAreUnknownPlatforms() {
        CcaReferenceValues refs = CcaReferenceValues.fromJson(Vectors.read(DIR + "rv.json"));
        CcaVerifier.Result t2 = CcaVerifier.verify(Vectors.read(DIR + "cca-token-02.cbor"), Cpak.fromJson(Vectors.read(DIR + "ta-02-ok.json")));
        assertThat(failure(appraise(t2, refs))).isEqualTo("FAIL platform.reference: implementation " + "00".repeat(32)
                + " has no reference values");
        CcaVerifier.Result ffm = CcaVerifier.verify(Vectors.read(DIR + "cca-token-draft-ffm-00.cbor"), Cpak.fromJson(Vectors.read(DIR + "ta-tfa.json")));
        assertThat(failure(appraise(ffm, refs))).startsWith("FAIL platform.reference: configuration or software components");
    }

    @Test
    void everyReferencedFieldMustMatch() throws Exception {
        String zeros32 = "00".repeat(32);
        assertThat(failure(appraise(token01(), rv(n -> realmRv(n).put("personalization-value", "00".repeat(64))))))
                .isEqualTo("FAIL realm.reference: the RIM is known but its personalization value differs from the reference");
        assertThat(failure(appraise(token01(), rv(n -> ((ArrayNode) realmRv(n).get("extensible-measurements")).set(3, "11".repeat(32)))))).isEqualTo("FAIL realm.reference: the RIM is known but its REMs differ from the reference");
        assertThat(failure(appraise(token01(), rv(n -> realmRv(n).put("rak-hash-algorithm", "sha-512")))))
                .contains("RAK hash algorithm differs");
        assertThat(failure(appraise(token01(), rv(n -> realmRv(n).put("initial-measurement", "11".repeat(32))))))
                .startsWith("FAIL realm.reference: RIM ").endsWith(" has no reference values");
        assertThat(failure(appraise(token01(), rv(n -> token01Platform(n).put("platform-configuration", "00")))))
                .startsWith("FAIL platform.reference: configuration or software components match none of the 1 known states");
        assertThat(failure(appraise(token01(), rv(n -> ((ObjectNode) token01Platform(n).get("sw-components").get(1))
                .put("measurement-value", zeros32))))).startsWith("FAIL platform.reference");
        assertThat(failure(appraise(token01(), rv(n -> ((ObjectNode) token01Platform(n).get("sw-components").get(0))
                .put("version", "9.9"))))).startsWith("FAIL platform.reference");
        assertThat(failure(appraise(token01(), rv(n -> ((ArrayNode) token01Platform(n).get("sw-components")).remove(2)))))
                .startsWith("FAIL platform.reference");
    }

    @Test
    void whatTheReferenceLeavesOutIsNotRequiredAndOrderDoesNotMatter() throws Exception {
        assertThat(appraise(token01(), rv(n -> {
            realmRv(n).remove(List.of("extensible-measurements", "personalization-value", "rak-hash-algorithm"));
            token01Platform(n).remove("platform-configuration");
            ArrayNode sw = (ArrayNode) token01Platform(n).get("sw-components");
            sw.insert(0, sw.remove(sw.size() - 1));
            ((ObjectNode) sw.get(1)).remove(List.of("version", "component-type"));
        })).failures()).isEmpty();
    }

    @Test
    void anUnverifiedTokenIsNotAppraisedAndAnUnsecuredPlatformFails() throws Exception {
        CcaVerifier.Result wrongCpak = CcaVerifier.verify(Vectors.read(DIR + "cca-token-01.cbor"), Cpak.fromJson(Vectors.read(DIR + "ta-02-ok.json")));
        VerificationResult r = appraise(wrongCpak, rv(n -> { }));
        assertThat(r.trusted()).isFalse();
        assertThat(r.check("reference_values").orElseThrow().toString()).isEqualTo("FAIL reference_values: not appraised: the token did not verify");
        PlatformClaims p = token01().platform().orElseThrow();
        PlatformClaims debug = new PlatformClaims(p.profile(), p.challenge(), p.implementationId(), p.instanceId(), 0x5000, p.config(),
                p.softwareComponents());
        assertThat(debug.secured()).isFalse();
        assertThat(p.secured()).isTrue();
        CcaVerifier.Result unsecured = new CcaVerifier.Result(token01().result(), token01().realm(), Optional.of(debug));
        // an unsecured lifecycle is the common debug claim, judged by the appraiser's policy.debug (verify's AppraiserPolicyOnceTest)
        assertThat(unsecured.common().orElseThrow().debug()).contains(true);
        for (int edge : new int[] {0x2fff, 0x3100, 0x13000}) {
            assertThat(new PlatformClaims(p.profile(), p.challenge(), p.implementationId(), p.instanceId(), edge, p.config(),
                    p.softwareComponents()).secured()).as("0x%x", edge).isFalse();
        }
    }

    @Test
    void badReferenceValuesAreTypedErrorsNamingTheField() {
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("nope".getBytes())).hasMessageContaining("CCA reference values").hasMessageContaining("not JSON");
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("[]".getBytes())).hasMessageContaining("must be an object");
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("{\"realm\":[{\"personalization-value\":\"00\"}]}".getBytes()))
                .hasMessageContaining("initial-measurement").hasMessageContaining("is required");
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("{\"realm\":[{\"initial-measurement\":\"zz\"}]}".getBytes()))
                .hasMessageContaining("initial-measurement").hasMessageContaining("not valid hex");
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("{\"realm\":[{\"initial-measurement\":\"00\",\"extensible-measurements\":[\"00\"]}]}"
                .getBytes())).hasMessageContaining("1 values; a realm has 4 REMs");
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("{\"platform\":{}}".getBytes())).hasMessageContaining("platform").hasMessageContaining("array");
        assertThatThrownBy(() -> CcaReferenceValues.fromJson("{\"platform\":[{\"implementation-id\":\"00\",\"sw-components\":[{\"signer-id\":\"00\"}]}]}"
                .getBytes())).hasMessageContaining("measurement-value");
        assertThat(CcaReferenceValues.fromJson("{}".getBytes()).platforms()).isEmpty();
    }
}
