// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.conformance.GuestComponentsGuest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.testing.EmulatedAzureCvm;
import dev.guestattest.verify.initdata.InitData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Azure confidential VM (SNP + vTPM) as a guest-components guest attests from one: tee
 * {@code az-snp-vtpm}, evidence {@code {"version": 2, "tpm_quote", "hcl_report", "vcek"}} whose
 * quote's nonce is the runtime digest unpadded (guest-components 8246e5e0
 * attestation-agent/attester/src/az_snp_vtpm/mod.rs), and init-data extended into PCR 8 (trustee
 * 78962cd4 deps/verifier/src/az_snp_vtpm/mod.rs verify_init_data). The CVM is emulated: an emulated
 * SNP report binding the vTPM's AK ({@link EmulatedAzureCvm}).
 */
class AzureCvmRcarTest {
    @TempDir
    static Path state;
    static BrokerFixture f;
    static EmulatedAzureCvm cvm;
    static final String INIT_DATA = InitDataRcarTest.initData("sha256", InitDataRcarTest.URL);

    @BeforeAll
    static void start() throws Exception {
        cvm = EmulatedAzureCvm.open(dev.guestattest.core.ProviderContext.defaults().withStateDir(BrokerFixture.sharedTees()));
        // the host launched it with init-data: PCR 8 extended once with its sha256 digest
        cvm.extend(8, InitData.parse("toml", INIT_DATA).digest());
        f = new BrokerFixture(BrokerFixture.sharedTees(), state, "store", c -> c.withRoots("az-snp-vtpm", cvm.roots()));
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", "{\"id\": \"azure\", \"tees\": [\"az-snp-vtpm\"]}").status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"azure/*/*\", \"tees\": [\"az-snp-vtpm\"],"
                + " \"status\": \"warning\"}]}").status()).isEqualTo(200);
        f.admin("POST", "/kbs/v0/resource/azure/disk/key", "for an Azure CVM");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static GuestComponentsGuest.Reply attest(GuestComponentsGuest g, Optional<String> initData) throws Exception {
        g.auth();
        return g.attest(digest -> {
            try {
                return cvm.evidence(Bytes.of(digest));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }, initData, "");
    }

    @Test
    void anAzureCvmAttestsWithItsInitDataAndOpensItsSecret() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "az-snp-vtpm");
        GuestComponentsGuest.Reply r = attest(g, Optional.of(INIT_DATA));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var claims = GuestComponentsGuest.claims(r.json().get("token").asText());
        assertThat(claims.at("/submods/cpu0/ear.veraison.annotated-evidence/report_data").asText())
                .isEqualTo(Bytes.of(g.runtimeDigest("")).hex()).hasSize(96);
        GuestComponentsGuest.Reply secret = g.resource("azure/disk/key", Optional.empty());
        assertThat(secret.status()).as(secret.body()).isEqualTo(200);
        assertThat(new String(g.open(secret.body()), StandardCharsets.UTF_8)).isEqualTo("for an Azure CVM");
    }

    /** An attack: init-data the launch did not extend into PCR 8. */
    @Test
    void initDataPcr8DoesNotHoldIsRefused() throws Exception {
        GuestComponentsGuest.Reply r = attest(new GuestComponentsGuest(f.uri, "az-snp-vtpm"), Optional.of(InitDataRcarTest.initData("sha256",
                "http://attacker")));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("policy.init_data").contains("pcr8");
        // sha384 cannot be extended into a SHA-256 PCR as Trustee does it: refused, not a crash
        assertThat(attest(new GuestComponentsGuest(f.uri, "az-snp-vtpm"), Optional.of(InitDataRcarTest.initData("sha384", InitDataRcarTest.URL)))
                .status()).isEqualTo(401);
    }
}
