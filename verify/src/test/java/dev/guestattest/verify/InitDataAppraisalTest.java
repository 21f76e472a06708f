// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.initdata.InitData;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The appraiser's init-data rules: the digest where the TEE carries it, and the policy's required claims (init_data). */
class InitDataAppraisalTest {
    static final String TOML = "version = \"0.1.0\"\nalgorithm = \"sha384\"\n[data]\n\"aa.toml\" = '''\n[token_configs.kbs]\nurl = \"http://kbs\"\n'''\n";
    static final InitData DATA = InitData.parse("toml", TOML);
    static final TrustVector AFFIRMED = TrustVector.NO_CLAIMS.withInstanceIdentity(TrustVector.TRUSTWORTHY_INSTANCE)
            .withHardware(TrustVector.GENUINE_HARDWARE);

    static CommonClaims tdx(Bytes mrConfigId) {
        return new CommonClaims("tdx", Optional.empty(), new TreeMap<>(), Optional.of(false), Bytes.zeros(64))
                .withInitDataField(new InitDataField("mr_config_id", mrConfigId, InitDataField.Binding.ZERO_PADDED));
    }

    static Optional<Policy.InitDataRule> rule(String yaml) {
        return Policy.parse(("id: p\ntees: [tdx]\n" + yaml).getBytes(StandardCharsets.UTF_8)).initData();
    }

    @Test
    void theDigestMustBeWhereTheTeeCarriesIt() {
        List<Check> checks = new ArrayList<>();
        TrustVector ok = InitDataAppraisal.appraise(tdx(DATA.digest()), Optional.of(DATA), Optional.empty(), AFFIRMED, checks);
        assertThat(ok.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(checks).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
        checks.clear();
        TrustVector other = InitDataAppraisal.appraise(tdx(Bytes.zeros(48)), Optional.of(DATA), Optional.empty(), AFFIRMED, checks);
        assertThat(other.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(checks).singleElement().satisfies(c -> assertThat(c.toString()).contains("policy.init_data").contains("mr_config_id"));
    }

    @Test
    void thePolicyRequiresInitDataAndValuesInItsClaims() {
        Optional<Policy.InitDataRule> rule = rule("init_data:\n  claims: {\"/aa.toml/token_configs/kbs/url\": \"http://kbs\"}\n");
        List<Check> checks = new ArrayList<>();
        assertThat(InitDataAppraisal.appraise(tdx(DATA.digest()), Optional.of(DATA), rule, AFFIRMED, checks).status()).isEqualTo(Tier.AFFIRMING);
        assertThat(checks).allSatisfy(c -> assertThat(c.passed()).isTrue()).hasSize(2);

        checks.clear();
        Optional<Policy.InitDataRule> other = rule("init_data:\n  claims: {\"/aa.toml/token_configs/kbs/url\": \"http://elsewhere\"}\n");
        assertThat(InitDataAppraisal.appraise(tdx(DATA.digest()), Optional.of(DATA), other, AFFIRMED, checks).status())
                .isEqualTo(Tier.CONTRAINDICATED);
        assertThat(checks.get(1).toString()).isEqualTo("FAIL policy.init_data_claims.aa.toml.token_configs.kbs.url: is 'http://kbs',"
                + " the policy requires 'http://elsewhere'");

        checks.clear();
        assertThat(InitDataAppraisal.appraise(tdx(Bytes.zeros(48)), Optional.empty(), rule, AFFIRMED, checks).status())
                .isEqualTo(Tier.CONTRAINDICATED);
        assertThat(checks).singleElement().satisfies(c -> assertThat(c.toString()).contains("requires init-data; the guest sent none"));

        checks.clear();
        Optional<Policy.InitDataRule> table = rule("init_data:\n  claims: {\"/aa.toml/token_configs\": \"x\"}\n");
        InitDataAppraisal.appraise(tdx(DATA.digest()), Optional.of(DATA), table, AFFIRMED, checks);
        assertThat(checks.get(1).toString()).endsWith("is a table, not a value");
        assertThatThrownBy(() -> rule("init_data:\n  claims: {\"aa.toml\": \"x\"}\n")).hasMessageContaining("policy: init_data.claims.aa.toml");
        assertThat(rule("")).isEmpty();
    }
}
