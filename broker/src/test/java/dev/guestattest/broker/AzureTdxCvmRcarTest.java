// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.broker.conformance.GuestComponentsGuest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.testing.EmulatedAzureCvm;
import dev.guestattest.tpm.testing.EmulatedAzureTdxCvm;
import dev.guestattest.verify.initdata.InitData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Azure TDX confidential VM (TDX + vTPM) as a guest-components guest attests from one: tee
 * {@code az-tdx-vtpm}, evidence {@code {"version": 2, "tpm_quote", "hcl_report", "td_quote"}} whose
 * vTPM quote's nonce is the runtime digest unpadded (guest-components 8246e5e0
 * attestation-agent/attester/src/az_tdx_vtpm/mod.rs), init-data extended into PCR 8 (trustee
 * 78962cd4 deps/verifier/src/az_tdx_vtpm/mod.rs verify_init_data), and no collateral: the broker
 * fetches the TD quote's from the emulated PCS ({@link BrokerFixture#pcsAndKds}), as Trustee does
 * from Intel's. The CVM is emulated ({@link EmulatedAzureTdxCvm}): a TD quote of the emulated TDX
 * platform whose REPORTDATA binds the runtime claims holding the vTPM's AK.
 */
class AzureTdxCvmRcarTest {
    @TempDir
    static Path state;
    static BrokerFixture f;
    static EmulatedAzureTdxCvm cvm;
    static final String INIT_DATA = InitDataRcarTest.initData("sha256", InitDataRcarTest.URL);

    @BeforeAll
    static void start() throws Exception {
        // the same emulated TDX platform as the fixture's PCS serves collateral for
        cvm = EmulatedAzureTdxCvm.open(dev.guestattest.core.ProviderContext.defaults().withStateDir(BrokerFixture.sharedTees()));
        // the host launched it with init-data: PCR 8 extended once with its sha256 digest
        cvm.extend(8, InitData.parse("toml", INIT_DATA).digest());
        f = new BrokerFixture(BrokerFixture.sharedTees(), state, "store", c -> c.withRoots("az-tdx-vtpm", cvm.roots()));
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", "{\"id\": \"azure-tdx\", \"tees\": [\"az-tdx-vtpm\"]}").status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"azure/*/*\", \"tees\": [\"az-tdx-vtpm\"],"
                + " \"status\": \"warning\"}]}").status()).isEqualTo(200);
        f.admin("POST", "/kbs/v0/resource/azure/disk/tdx", "for an Azure TDX CVM");
    }

    @AfterAll
    static void stop() {
        f.close();
        cvm.close();
    }

    /** guest-components' az-tdx-vtpm attester on the emulated CVM: the digest as it is. */
    private static JsonNode honest(byte[] digest) {
        try {
            return cvm.evidence(Bytes.of(digest));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GuestComponentsGuest.Reply attest(GuestComponentsGuest g, Function<byte[], JsonNode> attester, Optional<String> initData)
            throws Exception {
        assertThat(g.auth().status()).isEqualTo(200);
        return g.attest(attester, initData, "");
    }

    @Test
    void anAzureTdxCvmAttestsWithItsInitDataAndOpensItsSecret() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "az-tdx-vtpm");
        GuestComponentsGuest.Reply r = attest(g, AzureTdxCvmRcarTest::honest, Optional.of(INIT_DATA));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String token = r.json().get("token").asText();
        var claims = GuestComponentsGuest.claims(token);
        // the report data is the vTPM's nonce: the SHA-384 digest, unpadded (48 bytes)
        assertThat(claims.at("/submods/cpu0/ear.veraison.annotated-evidence/report_data").asText())
                .isEqualTo(Bytes.of(g.runtimeDigest("")).hex()).hasSize(96);
        assertThat(claims.at("/submods/cpu0/ear.guestattest.tee").asText()).isEqualTo("az-tdx-vtpm");
        // init-data is bound where Trustee looks for it: PCR 8, which the broker found to hold the digest extended once
        assertThat(claims.at("/submods/cpu0/ear.veraison.annotated-evidence/init_data").asText()).isEqualTo(cvm.pcrs().get(8).hex());
        // the TD quote's own claims ride along (MRSEAM, TD attributes...), from a quote verified with collateral the broker fetched
        assertThat(claims.at("/submods/cpu0/ear.veraison.annotated-evidence/az-tdx-vtpm/td_attributes").asText()).isEqualTo("0000001000000000");
        GuestComponentsGuest.Reply secret = g.resource("azure/disk/tdx", Optional.empty());
        assertThat(secret.status()).as(secret.body()).isEqualTo(200);
        assertThat(new String(g.open(secret.body()), StandardCharsets.UTF_8)).isEqualTo("for an Azure TDX CVM");
        // and by token alone, as the confidential data hub asks
        GuestComponentsGuest.Reply byToken = g.resource("azure/disk/tdx", Optional.of(token));
        assertThat(byToken.status()).as(byToken.body()).isEqualTo(200);
    }

    /** An attack: init-data the launch did not extend into PCR 8. */
    @Test
    void initDataPcr8DoesNotHoldIsRefused() throws Exception {
        GuestComponentsGuest.Reply r = attest(new GuestComponentsGuest(f.uri, "az-tdx-vtpm"), AzureTdxCvmRcarTest::honest,
                Optional.of(InitDataRcarTest.initData("sha256", "http://attacker")));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("policy.init_data").contains("pcr8");
    }

    /** An attack: genuine evidence, but made for another request (the nonce of a request the guest saw earlier). */
    @Test
    void evidenceForAnotherNonceIsRefused() throws Exception {
        GuestComponentsGuest earlier = new GuestComponentsGuest(f.uri, "az-tdx-vtpm");
        assertThat(earlier.auth().status()).isEqualTo(200);
        byte[] stale = earlier.runtimeDigest("");
        GuestComponentsGuest.Reply r = attest(new GuestComponentsGuest(f.uri, "az-tdx-vtpm"), digest -> honest(stale), Optional.empty());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("policy.report_data");
    }

    /** An attack: the vTPM quote signed by a key the TD quote does not vouch for. */
    @Test
    void aQuoteByAnotherKeyIsRefused() throws Exception {
        java.security.KeyPair other = EmulatedAzureCvm.rsa();
        GuestComponentsGuest.Reply r = attest(new GuestComponentsGuest(f.uri, "az-tdx-vtpm"), digest -> {
            try {
                return cvm.forged(Bytes.of(digest), Bytes.of(digest), other, true);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }, Optional.empty());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("tpm.quote.signature");
    }
}
