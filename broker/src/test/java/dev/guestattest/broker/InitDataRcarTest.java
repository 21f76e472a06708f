// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.broker.conformance.GuestComponentsGuest;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.snp.emulator.SnpGuestConfig;
import dev.guestattest.tdx.emulator.TdConfig;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.initdata.InitData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Init-data as a Confidential Containers pod carries it: the attestation agent sends the TOML
 * (guest-components 8246e5e0 attestation-agent/src/lib.rs get_token, token/kbs.rs), the host launched
 * the guest with its digest in MRCONFIGID (TDX) or HOST_DATA (SNP), zero-padded or cut to size as
 * Trustee checks it (trustee 78962cd4 deps/verifier/src/{tdx,snp}/mod.rs); its claims reach the token
 * (init_data_claims) and the resource rules. Emulators of their own: these launches change the TD
 * and the SNP guest other tests share.
 */
class InitDataRcarTest {
    static final String URL = "http://kbs.example:8080";
    static final String INIT_DATA = """
            version = "0.1.0"
            algorithm = "%s"
            [data]
            "aa.toml" = '''
            [token_configs]
            [token_configs.kbs]
            url = "%s"
            '''
            "cdh.toml" = '''
            socket = 'unix:///run/confidential-containers/cdh.sock'
            [kbc]
            name = "cc_kbc"
            url = "%s"
            '''
            """;
    static final String POINTER = "/submods/cpu0/ear.veraison.annotated-evidence/init_data_claims/aa.toml/token_configs/kbs/url";

    @TempDir
    static Path tees;
    @TempDir
    static Path state;
    static BrokerFixture f;

    static String initData(String algorithm, String url) {
        return INIT_DATA.formatted(algorithm, url, url);
    }

    @BeforeAll
    static void launch() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(tees);
        InitData tdx = InitData.parse("toml", initData("sha384", URL));
        try (TdxEmulatedProvider p = TdxEmulatedProvider.open(ctx)) {
            TdConfig d = TdConfig.DEFAULT;
            p.td().reset(new TdConfig(d.mrTd(), tdx.digest(), d.mrOwner(), d.mrOwnerConfig(), d.attributes(), d.xfam()));
        }
        // SNP's HOST_DATA holds 32 bytes: a sha256 digest exactly
        SnpGuestConfig.launchWith(ctx, InitData.parse("toml", initData("sha256", URL)).digest());
        f = new BrokerFixture(tees, state, "store");
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        String rules = "{\"rules\": [{\"path\": \"pods/*/*\", \"status\": \"warning\", \"claims\": {\"" + POINTER + "\": \"" + URL + "\"}},"
                + " {\"path\": \"other/*/*\", \"status\": \"warning\", \"claims\": {\"" + POINTER + "\": \"http://elsewhere\"}}]}";
        assertThat(f.admin("POST", "/kbs/v0/resource-policy", rules).status()).isEqualTo(200);
        f.admin("POST", "/kbs/v0/resource/pods/cdh/key", "for pods configured with this KBS");
        f.admin("POST", "/kbs/v0/resource/other/cdh/key", "for pods configured elsewhere");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void aTdWhoseMrConfigIdHoldsTheDigestIsAttestedAndItsClaimsDecideTheRelease() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        GuestComponentsGuest.Reply r = g.attest(GuestComponentsAttesters.on(f, "tdx"), Optional.of(initData("sha384", URL)), "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode claims = GuestComponentsGuest.claims(r.json().get("token").asText());
        assertThat(claims.at(POINTER).asText()).isEqualTo(URL);
        assertThat(claims.at("/submods/cpu0/ear.veraison.annotated-evidence/init_data_claims/cdh.toml/kbc/name").asText()).isEqualTo("cc_kbc");
        assertThat(claims.at("/submods/cpu0/ear.veraison.annotated-evidence/init_data").asText())
                .isEqualTo(InitData.parse("toml", initData("sha384", URL)).digest().hex());
        GuestComponentsGuest.Reply pods = g.resource("pods/cdh/key", Optional.empty());
        assertThat(pods.status()).as(pods.body()).isEqualTo(200);
        assertThat(new String(g.open(pods.body()), StandardCharsets.UTF_8)).isEqualTo("for pods configured with this KBS");
        assertThat(g.resource("other/cdh/key", Optional.empty()).status()).as("a rule on another init-data value").isEqualTo(403);
    }

    @Test
    void anSnpGuestWhoseHostDataHoldsTheDigestIsAttested() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "snp");
        g.auth();
        GuestComponentsGuest.Reply r = g.attest(GuestComponentsAttesters.on(f, "snp"), Optional.of(initData("sha256", URL)), "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(g.resource("pods/cdh/key", Optional.empty()).status()).isEqualTo(200);
    }

    /** An attack: a guest claims init-data other than what it was launched with (another KBS, another policy). */
    @Test
    void initDataTheLaunchDidNotMeasureIsRefused() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        GuestComponentsGuest.Reply r = g.attest(GuestComponentsAttesters.on(f, "tdx"), Optional.of(initData("sha384", "http://attacker")), "");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("policy.init_data").contains("mr_config_id");
        // and one the launch measured, but under another digest algorithm than it was measured with
        GuestComponentsGuest h = new GuestComponentsGuest(f.uri, "tdx");
        h.auth();
        assertThat(h.attest(GuestComponentsAttesters.on(f, "tdx"), Optional.of(initData("sha512", URL)), "").status()).isEqualTo(401);
    }

    @Test
    void malformedInitDataIsRefusedByField() throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tdx");
        g.auth();
        GuestComponentsGuest.Reply r = g.attest(GuestComponentsAttesters.on(f, "tdx"), Optional.of("version = \"0.1.0\"\nalgorithm = \"md5\"\n"
                + "[data]\n"), "");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("init-data.body: algorithm").contains("md5");
    }
}
