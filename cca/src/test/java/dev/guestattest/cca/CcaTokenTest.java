// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca;

import dev.guestattest.core.pki.Pem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.cca.verify.Cpak;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The arm-cca expectations of ../shared/vectors/expected.json. */
class CcaTokenTest {
    static final String DIR = "arm-cca/rust-ccatoken/";

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({
            "cca-token-01.cbor, ta-tfa.json, ES384, sha-256",
            "cca-token-01.cbor, cpak.json, ES384, sha-256",
            "cca-token-02.cbor, ta-02-ok.json, ES256, sha-512",
            "cca-token-draft-ffm-00.cbor, ta-tfa.json, ES384, sha-256"})
    void everyTokenVerifiesWithItsTrustAnchor(String token, String anchor, String platformAlg, String binding) {
        CcaVerifier.Result r = CcaVerifier.verify(Vectors.read(DIR + token), Cpak.fromJson(Vectors.read(DIR + anchor)));
        assertThat(r.result().failures()).isEmpty();
        assertThat(r.result().checks()).extracting(Check::name).containsExactly("token.format", "realm.signature", "realm.binding",
                "platform.signature");
        assertThat(r.result().check("realm.signature").orElseThrow().detail()).startsWith("ES384, by the RAK");
        assertThat(r.result().check("platform.signature").orElseThrow().detail()).startsWith(platformAlg);
        assertThat(r.result().check("realm.binding").orElseThrow().detail()).contains(binding);
        assertThat(r.realm().orElseThrow().rems()).hasSize(4);
        assertThat(r.realm().orElseThrow().challenge().length()).isEqualTo(64);
    }

    @Test
    void theWrongAnchorAndTheWrongNonceFail() {
        byte[] token = Vectors.read(DIR + "cca-token-01.cbor");
        assertThat(CcaVerifier.verify(token, Cpak.fromJson(Vectors.read(DIR + "ta-02-ok.json"))).result().failures())
                .extracting(Check::name).containsExactly("platform.signature");
        // the wrong nonce is the appraiser's policy.report_data (verify's AppraiserPolicyOnceTest); the token says what it carries
        assertThat(CcaVerifier.verify(token, Cpak.fromJson(Vectors.read(DIR + "cpak.json"))).common().orElseThrow().reportData())
                .isNotEqualTo(Bytes.zeros(64));
    }

    @Test
    void everySingleByteChangeIsRejected() {
        for (String file : List.of("cca-token-01.cbor", "cca-token-02.cbor", "cca-token-draft-ffm-00.cbor")) {
            byte[] token = Vectors.read(DIR + file);
            List<Cpak> anchors = Cpak.fromJson(Vectors.read(DIR + (file.equals("cca-token-02.cbor") ? "ta-02-ok.json" : "ta-tfa.json")));
            for (int i = 0; i < token.length; i++) {
                byte[] t = token.clone();
                t[i] ^= 0x01;
                CcaVerifier.Result r;
                try {
                    r = CcaVerifier.verify(t, anchors);
                } catch (RuntimeException e) {
                    throw new AssertionError(file + " byte " + i + " escaped as " + e, e);
                }
                assertThat(r.trusted()).as("%s byte %d", file, i).isFalse();
            }
        }
    }

    @Test
    void aCpakAsPemVerifiesTheSameAsItsJwkAndOtherKeysAreRefused() throws Exception {
        Cpak jwk = Cpak.fromJson(Vectors.read(DIR + "cpak.json")).get(0);
        String pem = dev.guestattest.core.pki.Pem.encode("PUBLIC KEY", jwk.key().getEncoded());
        List<Cpak> fromPem = Cpak.parse(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(fromPem).singleElement().satisfies(c -> assertThat(c.key().getEncoded()).isEqualTo(jwk.key().getEncoded()));
        assertThat(CcaVerifier.verify(Vectors.read(DIR + "cca-token-01.cbor"), fromPem).trusted()).isTrue();
        assertThat(Cpak.parse(Vectors.read(DIR + "ta-tfa.json"))).hasSize(Cpak.fromJson(Vectors.read(DIR + "ta-tfa.json")).size());
        var g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp521r1"));
        String p521 = dev.guestattest.core.pki.Pem.encode("PUBLIC KEY", g.generateKeyPair().getPublic().getEncoded());
        assertThatThrownBy(() -> Cpak.parse(p521.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .hasMessageContaining("CPAK").hasMessageContaining("P-521");
        assertThatThrownBy(() -> Cpak.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".getBytes()))
                .hasMessageContaining("CPAK: not an EC public key or certificate (PEM)");
    }

    @Test
    void realmClaimsMapOntoTheCommonNames() {
        CcaVerifier.Result r = CcaVerifier.verify(Vectors.read(DIR + "cca-token-01.cbor"), Cpak.fromJson(Vectors.read(DIR + "cpak.json")));
        var realm = r.realm().orElseThrow();
        var common = realm.common();
        assertThat(common.tee()).isEqualTo("cca");
        assertThat(common.initialMeasurement()).contains(realm.rim());
        assertThat(common.runtimeRegisters()).containsOnlyKeys("rem0", "rem1", "rem2", "rem3");
        assertThat(common.runtimeRegisters().get("rem2")).isEqualTo(realm.rems().get(2));
        assertThat(common.reportData()).isEqualTo(realm.challenge());
        assertThat(common.debug()).isEmpty();
    }
}
