// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.ear.EarSigner;
import dev.guestattest.verify.ear.EarVerifier;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The single entry point on real vectors: each vendor's evidence, judged by policies that accept and reject it. */
class AppraiserTest {
    static final Appraiser APPRAISER = Appraiser.discover();
    static final String TDX_MRTD = "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7";
    static final Instant TDX_AT = Instant.parse("2025-07-01T00:00:00Z");
    static final String TDX_REPORT_DATA = "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9"
            + "eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20";

    static Policy policy(String json) {
        return Policy.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static Evidence tdx() {
        return Evidence.of(Bytes.of(Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4.bin")),
                Map.of("collateral", Bytes.of(Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json"))));
    }

    static Appraisal appraiseTdx(String policyJson) {
        return APPRAISER.appraise(tdx(), AppraisalContext.of(policy(policyJson), TDX_AT));
    }

    static String failure(Appraisal a) {
        return a.failures().stream().findFirst().map(Check::toString).orElse("none");
    }

    @Test
    void theVendorVerifiersPlugInAndFormatsAreDetected() {
        assertThat(APPRAISER.formats()).contains("tdx", "snp", "cca");
        Appraisal a = appraiseTdx("{\"id\": \"tdx-v4\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + TDX_MRTD + "\"]}}");
        assertThat(a.format()).isEqualTo("tdx");
        assertThat(a.failures()).isEmpty();
        assertThat(a.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(a.trustVector()).isEqualTo(new TrustVector(2, 2, 3, 0, 2, 2, 0, 0));
        assertThat(a.checks()).extracting(Check::name).contains("quote.signature", "tcb.status", "policy.tee", "policy.tcb_status", "policy.debug",
                "policy.initial_measurement");
        assertThat(a.vendorClaims()).containsKey("mrseam");
        assertThat(a.policyId()).isEqualTo("tdx-v4");
        assertThat(a.policySha256()).hasSize(64);
    }

    @Test
    void eachPolicyRequirementRejectsByName() {
        String base = "{\"id\": \"p\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + TDX_MRTD + "\"]}";
        // the right report data affirms; another contraindicates
        assertThat(APPRAISER.appraise(tdx(), AppraisalContext.of(policy(base + "}"), TDX_AT).withReportData(Bytes.fromHex("rd", TDX_REPORT_DATA)))
                .status()).isEqualTo(Tier.AFFIRMING);
        Appraisal wrongNonce = APPRAISER.appraise(tdx(), AppraisalContext.of(policy(base + "}"), TDX_AT).withReportData(Bytes.zeros(64)));
        assertThat(wrongNonce.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(wrongNonce.trustVector().instanceIdentity()).isEqualTo(TrustVector.UNTRUSTWORTHY_INSTANCE);
        assertThat(failure(wrongNonce)).startsWith("FAIL policy.report_data: is 9a9d48e7");
        // an unknown measurement warns
        Appraisal unknown = appraiseTdx("{\"id\": \"p\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + "00".repeat(48)
                + "\"]}}");
        assertThat(unknown.status()).isEqualTo(Tier.WARNING);
        assertThat(unknown.trustVector().executables()).isEqualTo(TrustVector.UNRECOGNIZED_EXECUTABLES);
        assertThat(failure(unknown)).isEqualTo("FAIL policy.initial_measurement: " + TDX_MRTD + " matches no reference value");
        // no reference values at all: nothing is approved
        assertThat(appraiseTdx("{\"id\": \"p\", \"tees\": [\"tdx\"]}").status()).isEqualTo(Tier.WARNING);
        // a runtime register reference: matching approves runtime, another value warns
        Appraisal rtmr = appraiseTdx(base.replace("]}", "], \"runtime_registers\": {\"rtmr3\": [\"" + "00".repeat(48) + "\"]}}") + "}");
        assertThat(rtmr.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(rtmr.trustVector().executables()).isEqualTo(TrustVector.APPROVED_RUNTIME);
        Appraisal rtmrBad = appraiseTdx(base.replace("]}", "], \"runtime_registers\": {\"rtmr3\": [\"" + "11".repeat(48) + "\"]}}") + "}");
        assertThat(failure(rtmrBad)).startsWith("FAIL policy.runtime_registers.rtmr3: ");
        Appraisal noSuch = appraiseTdx(base.replace("]}", "], \"runtime_registers\": {\"rem0\": [\"00\"]}}") + "}");
        assertThat(failure(noSuch)).isEqualTo("FAIL policy.runtime_registers.rem0: the evidence has no such claim");
        // a TCB status the policy does not accept warns (hardware 32)
        Appraisal tcb = appraiseTdx(base + ", \"accepted_tcb_status\": [\"OutOfDate\"]}");
        assertThat(tcb.status()).isEqualTo(Tier.WARNING);
        assertThat(tcb.trustVector().hardware()).isEqualTo(TrustVector.UNSAFE_HARDWARE);
        // a TEE the policy does not accept
        Appraisal tee = appraiseTdx("{\"id\": \"p\", \"tees\": [\"snp\"]}");
        assertThat(tee.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(failure(tee)).isEqualTo("FAIL policy.tee: tdx is not among the accepted [snp]");
    }

    @Test
    void brokenEvidenceNeverAffirms() {
        Policy p = policy("{\"id\": \"p\", \"tees\": [\"tdx\", \"snp\"], \"reference_values\": {\"initial_measurement\": [\"" + TDX_MRTD + "\"]}}");
        byte[] quote = tdx().bytes().toArray();
        quote[quote.length - 100] ^= 1;
        Appraisal bent = APPRAISER.appraise(Evidence.of(Bytes.of(quote), tdx().aux()), AppraisalContext.of(p, TDX_AT));
        assertThat(bent.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(bent.trustVector().instanceIdentity()).isEqualTo(TrustVector.CRYPTO_VALIDATION_FAILED);
        assertThat(bent.claims()).as("unverified claims are not passed on").isEmpty();
        assertThat(bent.vendorClaims()).isEmpty();
        Appraisal noCollateral = APPRAISER.appraise(Evidence.of(tdx().bytes(), Map.of()), AppraisalContext.of(p, TDX_AT));
        assertThat(failure(noCollateral)).contains("collateral").contains("aux part 'collateral'");
        Appraisal garbage = APPRAISER.appraise(Evidence.of(Bytes.of(new byte[100]), Map.of()), AppraisalContext.of(p, TDX_AT));
        assertThat(garbage.status()).isEqualTo(Tier.NONE);
        assertThat(garbage.affirming()).isFalse();
        assertThat(failure(garbage)).startsWith("FAIL evidence.format: not a format any verifier recognizes");
        Appraisal misnamed = APPRAISER.appraise(new Evidence(Optional.of("snp"), tdx().bytes(), Map.of("certs", Bytes.of(new byte[10]))),
                AppraisalContext.of(p, TDX_AT));
        assertThat(misnamed.affirming()).isFalse();
    }

    @Test
    void snpDebugIsThePolicysCall() {
        String v = "amd-sev-snp/go-sev-guest/";
        Evidence e = Evidence.of(Bytes.of(Vectors.read(v + "attestation.bin")), Map.of("certs", Bytes.of(Vectors.read(v + "vcek.der"))));
        Instant at = Instant.parse("2025-01-01T00:00:00Z");
        Appraisal probe = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"]}"), at));
        assertThat(probe.format()).isEqualTo("snp");
        String measurement = probe.claims().orElseThrow().initialMeasurement().orElseThrow().hex();
        String rv = ", \"reference_values\": {\"initial_measurement\": [\"" + measurement + "\"]}}";
        Appraisal strict = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"]" + rv), at));
        assertThat(strict.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(strict.trustVector().configuration()).isEqualTo(TrustVector.UNSUPPORTABLE_CONFIG);
        assertThat(failure(strict)).startsWith("FAIL policy.debug: on");
        Appraisal lenient = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"snp\"], \"allow_debug\": true" + rv), at));
        assertThat(lenient.status()).isEqualTo(Tier.WARNING);
        assertThat(lenient.failures()).isEmpty();
    }

    @Test
    void ccaDebugIsThePlatformsLifecycleSoASecuredTokenPassesAStrictPolicy() {
        // token 01's platform is in lifecycle 0x3003, secured; CcaLifecycleAppraisalTest refuses one that is not
        String v = "arm-cca/rust-ccatoken/";
        Evidence e = Evidence.of(Bytes.of(Vectors.read(v + "cca-token-01.cbor")), Map.of("cpak", Bytes.of(Vectors.read(v + "cpak.json"))));
        Appraisal probe = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"cca\"], \"allow_debug\": true}"),
                Instant.now()));
        assertThat(probe.claims().orElseThrow().debug()).contains(false);
        String rim = probe.claims().orElseThrow().initialMeasurement().orElseThrow().hex();
        String rv = ", \"reference_values\": {\"initial_measurement\": [\"" + rim + "\"]}}";
        Appraisal strict = APPRAISER.appraise(e, AppraisalContext.of(policy("{\"id\": \"p\", \"tees\": [\"cca\"]" + rv), Instant.now()));
        assertThat(strict.failures()).isEmpty();
        assertThat(strict.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(strict.check("policy.debug")).map(Check::toString).contains("ok   policy.debug: off");
    }

    @Test
    void earJwtsVerifyWithTheAppraisersKeyAndCarryTheVector() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        Appraisal a = appraiseTdx("{\"id\": \"tdx-v4\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + TDX_MRTD + "\"]}}");
        String jwt = new EarSigner(key).sign(a, Optional.of(Bytes.fromHex("n", "0102")));
        JWTClaimsSet claims = EarVerifier.verify(jwt, (ECPublicKey) key.getPublic());
        assertThat(claims.getStringClaim("eat_profile")).isEqualTo(EarSigner.PROFILE);
        assertThat(claims.getStringClaim("eat_nonce")).isEqualTo("AQI");
        @SuppressWarnings("unchecked")
        Map<String, Object> tdx = (Map<String, Object>) claims.getJSONObjectClaim("submods").get("tdx");
        assertThat(tdx).containsEntry("ear.status", "affirming").containsEntry("ear.appraisal-policy-id", "tdx-v4")
                .containsEntry("ear.guestattest.policy-sha256", a.policySha256());
        assertThat(tdx.get("ear.trustworthiness-vector").toString()).contains("instance-identity=2", "executables=3", "hardware=2");
        assertThat(tdx.get("ear.guestattest.claims").toString()).contains("initial_measurement=" + TDX_MRTD);
        // another key, or a changed token, does not verify
        KeyPair other = g.generateKeyPair();
        assertThatThrownBy(() -> EarVerifier.verify(jwt, (ECPublicKey) other.getPublic())).hasMessageContaining("does not verify");
        String[] parts = jwt.split("\\.");
        String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "xx." + parts[2];
        assertThatThrownBy(() -> EarVerifier.verify(forged, (ECPublicKey) key.getPublic())).hasMessageStartingWith("EAR");
        assertThatThrownBy(() -> EarVerifier.verify("nope", (ECPublicKey) key.getPublic())).hasMessageContaining("not a JWT");
    }

    @Test
    void earInCborIsACoseSign1OverTheDraftsIntegerKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair key = g.generateKeyPair();
        Appraisal a = appraiseTdx("{\"id\": \"tdx-v4\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + TDX_MRTD + "\"]}}");
        byte[] cwt = new EarSigner(key).signCbor(a, Optional.of(Bytes.fromHex("n", "0102")));
        assertThat(cwt[0] & 0xff).as("tag 18").isEqualTo(0xd2);
        var claims = EarVerifier.verifyCbor(cwt, (ECPublicKey) key.getPublic());
        assertThat(claims.get("265").asText()).isEqualTo(EarSigner.PROFILE);
        assertThat(claims.get("6").asLong()).isEqualTo(TDX_AT.getEpochSecond());
        assertThat(claims.get("10").binaryValue()).containsExactly(1, 2);
        assertThat(claims.get("1004").get("0").asText()).isEqualTo("dev.guestattest");
        var tdx = claims.get("266").get("tdx");
        assertThat(tdx.get("1000").asInt()).isEqualTo(2);
        assertThat(tdx.get("1001").toString()).isEqualTo("{\"0\":2,\"1\":2,\"2\":3,\"4\":2,\"5\":2}");
        assertThat(tdx.get("1003").get(0).asText()).isEqualTo("tdx-v4");
        assertThat(tdx.get("ear.guestattest.policy-sha256").asText()).isEqualTo(a.policySha256());
        assertThat(tdx.get("1005").get("initial_measurement").asText()).isEqualTo(TDX_MRTD);
        // another key, or one changed byte, does not verify
        KeyPair other = g.generateKeyPair();
        assertThatThrownBy(() -> EarVerifier.verifyCbor(cwt, (ECPublicKey) other.getPublic())).hasMessageContaining("does not verify");
        byte[] bent = cwt.clone();
        bent[bent.length - 120] ^= 1;
        assertThatThrownBy(() -> EarVerifier.verifyCbor(bent, (ECPublicKey) key.getPublic())).hasMessageStartingWith("EAR");
        assertThatThrownBy(() -> EarVerifier.verifyCbor(new byte[] {1, 2}, (ECPublicKey) key.getPublic())).hasMessageContaining("COSE_Sign1");
    }

    @Test
    void earsSignedWithEd25519VerifyAsJwtAndAsCbor() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Appraisal a = appraiseTdx("{\"id\": \"tdx-v4\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\"" + TDX_MRTD + "\"]}}");
        EarSigner signer = new EarSigner(ed);
        String jwt = signer.sign(a, Optional.empty());
        assertThat(com.nimbusds.jwt.SignedJWT.parse(jwt).getHeader().getAlgorithm().getName()).isEqualTo("EdDSA");
        assertThat(EarVerifier.verify(jwt, ed.getPublic()).getStringClaim("eat_profile")).isEqualTo(EarSigner.PROFILE);
        assertThat(EarVerifier.verifyCbor(signer.signCbor(a, Optional.empty()), ed.getPublic()).get("266").has("tdx")).isTrue();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThatThrownBy(() -> EarVerifier.verify(jwt, other.getPublic())).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> EarVerifier.verifyCbor(signer.signCbor(a, Optional.empty()), other.getPublic())).hasMessageContaining("does not verify");
        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
        assertThatThrownBy(() -> new EarSigner(ed448)).hasMessageContaining("Ed25519");
    }

    @Test
    void aPolicyWithATypoFailsAtLoadWithTheLineAndField() {
        assertThatThrownBy(() -> policy("{\"id\": \"p\",\n \"tees\": [\"tdx\"],\n \"alow_debug\": true}")).hasMessageContaining("line 3")
                .hasMessageContaining("unknown field 'alow_debug'");
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"tdx\"],\n \"reference_values\": {\"initial_measurement\": [\"zz\"]}}"))
                .hasMessageContaining("reference_values.initial_measurement").hasMessageContaining("not valid hex");
        assertThatThrownBy(() -> policy("{\"id\": \"p\",\n \"allow_debug\": \"maybe\", \"tees\": [\"tdx\"]}")).hasMessageContaining("line 2")
                .hasMessageContaining("allow_debug");
        assertThatThrownBy(() -> policy("{\"id\": \"p\", \"tees\": [\"tdx\"], \"accepted_tcb_status\": [\"UptoDate\"]}"))
                .hasMessageContaining("policy: accepted_tcb_status").hasMessageContaining("'UptoDate' is not a TCB status");
        assertThatThrownBy(() -> policy("{\"id\": \"p\"}")).hasMessageContaining("policy: tees");
        assertThatThrownBy(() -> policy("{\"tees\": [\"tdx\"]}")).hasMessageContaining("policy: id");
        assertThatThrownBy(() -> policy("{\"id\": ")).hasMessageContaining("policy").hasMessageContaining("line 1");
    }
}
