// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.broker.conformance.GuestComponentsGuest;
import dev.guestattest.core.codec.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unmodified Confidential Containers guests, as {@link GuestComponentsGuest} behaves (written from
 * guest-components 8246e5e0), attest to the broker and open what it releases: every TEE whose
 * attester this project reads, each sending what its guest-components attester sends and no
 * collateral (the broker fetches TDX collateral and SNP certificates from the emulated PCS and KDS,
 * {@link BrokerFixture#pcsAndKds}).
 */
class GuestComponentsRcarTest {
    @TempDir
    static Path state;
    static BrokerFixture f;

    @BeforeAll
    static void start() {
        f = new BrokerFixture(BrokerFixture.sharedTees(), state, "store");
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"test/*/*\", \"status\": \"warning\"}]}").status())
                .isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource/test/disk/key", "released to a CoCo guest").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static Function<byte[], JsonNode> attester(String tee) {
        return GuestComponentsAttesters.on(f, tee);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tdx", "snp", "cca"})
    void aGuestComponentsGuestAttestsAndOpensItsSecretByCookieAndByToken(String tee) throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, tee);
        assertThat(g.auth().status()).isEqualTo(200);
        GuestComponentsGuest.Reply attested = g.attest(attester(tee), Optional.empty(), "");
        assertThat(attested.status()).as(attested.body()).isEqualTo(200);
        String token = attested.json().get("token").asText();

        GuestComponentsGuest.Reply byCookie = g.resource("test/disk/key", Optional.empty());
        assertThat(byCookie.status()).as(byCookie.body()).isEqualTo(200);
        assertThat(new String(g.open(byCookie.body()), StandardCharsets.UTF_8)).isEqualTo("released to a CoCo guest");
        // the confidential data hub asks with the token alone (cc_kbc.rs, token_client.rs)
        GuestComponentsGuest.Reply byToken = g.resource("test/disk/key", Optional.of(token));
        assertThat(byToken.status()).isEqualTo(200);
        assertThat(new String(g.open(byToken.body()), StandardCharsets.UTF_8)).isEqualTo("released to a CoCo guest");
    }

    /**
     * The token as Trustee's attestation service lays it out (trustee 78962cd4
     * attestation-service/src/ear_token/broker.rs), and as a Trustee KBS finds the TEE key in it
     * (kbs/src/token/mod.rs: /submods/cpu0/ear.veraison.annotated-evidence/runtime_data_claims/tee-pubkey).
     */
    @Test
    void theTokenIsLaidOutAsTrusteesEar() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        String token = g.attest(attester("tdx"), Optional.empty(), "").json().get("token").asText();
        JsonNode header = GuestComponentsGuest.header(token);
        assertThat(header.get("alg").asText()).isEqualTo("ES256");
        assertThat(header.get("typ").asText()).isEqualTo("JWT");
        assertThat(header.get("jwk").get("kty").asText()).isEqualTo("EC");
        assertThat(header.get("jwk").get("alg").asText()).isEqualTo("ES256");
        JsonNode c = GuestComponentsGuest.claims(token);
        assertThat(c.get("eat_profile").asText()).isEqualTo("tag:github.com,2024:confidential-containers/Trustee");
        assertThat(c.get("iss").isTextual()).isTrue();
        assertThat(c.get("exp").asLong()).isGreaterThan(c.get("iat").asLong());
        assertThat(c.get("ear.verifier-id").has("developer")).isTrue();
        JsonNode cpu0 = c.get("submods").get("cpu0");
        assertThat(cpu0.get("ear.status").asText()).isEqualTo("warning");
        assertThat(cpu0.get("ear.trustworthiness-vector").get("hardware").asInt()).isEqualTo(2);
        JsonNode annotated = cpu0.get("ear.veraison.annotated-evidence");
        assertThat(annotated.at("/runtime_data_claims/tee-pubkey")).isEqualTo(g.teePubkey);
        assertThat(annotated.at("/runtime_data_claims/nonce").asText()).isEqualTo(g.nonce);
        assertThat(annotated.at("/runtime_data_claims/additional-evidence").asText()).isEmpty();
        assertThat(annotated.get("report_data").asText()).isEqualTo(Bytes.of(GuestComponentsGuest.padded(g.runtimeDigest(""))).hex());
        assertThat(annotated.has("tdx")).isTrue();
        assertThat(annotated.has("init_data_claims")).isTrue();
        assertThat(annotated.get("init_data").asText()).isEqualTo("00".repeat(48));
        // the broker's key is also published as a JWK Set, by the header's kid
        JsonNode jwks = GuestComponentsGuest.JSON.readTree(f.call("GET", "/kbs/v0/token-jwks", null, Optional.empty(), Optional.empty()).body());
        assertThat(jwks.get("keys").get(0).get("kid").asText()).isEqualTo(header.get("kid").asText());
        assertThat(jwks.get("keys").get(0).get("x").asText()).isEqualTo(header.get("jwk").get("x").asText());
    }

    /** Bound as Trustee binds it; the older {nonce, tee-pubkey} binding does not pass for guest-components' shapes. */
    @Test
    void theRuntimeDataBindingIsTrustees() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        // a quote over the runtime data without additional-evidence, sent as guest-components does
        Function<byte[], JsonNode> stale = digest -> attester("tdx").apply(digestWithout(g));
        GuestComponentsGuest.Reply r = g.attest(stale, Optional.empty(), "");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("policy.report_data");
    }

    private static byte[] digestWithout(GuestComponentsGuest g) {
        return dev.guestattest.verify.freshness.RuntimeData.legacyReportData(g.nonce, g.teePubkey, dev.guestattest.verify.freshness.RuntimeData.Hash
                .SHA384).toArray();
    }

    @Test
    void deviceEvidenceIsRefusedByNameNotDropped() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        GuestComponentsGuest.Reply r = g.attest(attester("tdx"), Optional.empty(), "{\"nvidia\":{\"evidence_list\":[]}}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("additional_evidence").contains("nvidia").contains("no verifier for device evidence");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgx", "csv", "sample"})
    void teesThisBrokerCannotVerifyAreRefusedByName(String tee) throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, tee);
        GuestComponentsGuest.Reply r = g.auth();
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("'" + tee + "'");
        if (tee.equals("sample")) {
            assertThat(r.body()).contains("--allow-sample");
        }
    }
}
