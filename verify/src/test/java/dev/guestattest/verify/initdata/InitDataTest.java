// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.initdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.InitDataField;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Init-data as Trustee reads it (trustee 78962cd4 attestation-service/src/lib.rs Initdata, parse_data):
 * the digest is the named algorithm over the body's bytes as sent (the expected value from Python's
 * hashlib over the same file), the claims are the data table with aa.toml and cdh.toml read as TOML
 * and policy.rego's policy_data as agent_policy_claims.
 */
class InitDataTest {
    static String example() throws Exception {
        return Files.readString(Path.of("../fuzz/seeds/initdata.toml"), StandardCharsets.UTF_8);
    }

    @Test
    void theDigestIsTheNamedAlgorithmOverTheBodyAsSent() throws Exception {
        InitData d = InitData.parse("toml", example());
        assertThat(d.algorithm()).isEqualTo(HashAlgorithm.SHA384);
        assertThat(d.digest().hex()).isEqualTo("b5d218ba5429c0a278b1b17b9e90ea28aa963e7c67f5b6eec703b89d3d4d7d80d47fedfd950907dda9293677e55feeea");
        // one byte of whitespace more is another digest: nothing is canonicalized
        assertThat(InitData.parse("toml", example() + "\n").digest()).isNotEqualTo(d.digest());
    }

    @Test
    void theClaimsAreTrusteesRewritingOfTheDataTable() throws Exception {
        InitData d = InitData.parse("toml", example());
        assertThat(d.claims().at("/aa.toml/token_configs/kbs/url").asText()).isEqualTo("http://kbs.example:8080");
        assertThat(d.claims().at("/cdh.toml/kbc/name").asText()).isEqualTo("cc_kbc");
        assertThat(d.claims().at("/agent_policy_claims/allow").asBoolean()).isTrue();
        assertThat(d.claims().has("policy.rego")).isFalse();
        // an entry that is not TOML stays text
        assertThat(InitData.parse("toml", "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n\"aa.toml\" = \"[[[\"\n").claims()
                .get("aa.toml").asText()).isEqualTo("[[[");
    }

    @Test
    void eachTeeFieldBindsTheDigestAsTrusteeChecksIt() throws Exception {
        Bytes sha384 = InitData.parse("toml", example()).digest();
        Bytes sha256 = Bytes.of(HashAlgorithm.SHA256.hash(new byte[] {1}));
        // TDX MRCONFIGID: 48 bytes, a sha256 digest zero-padded
        assertThat(new InitDataField("mr_config_id", Bytes.of(Arrays.copyOf(sha256.toArray(), 48)), InitDataField.Binding.ZERO_PADDED)
                .binds(sha256)).isTrue();
        // SNP HOST_DATA: 32 bytes, a sha384 digest cut
        assertThat(new InitDataField("host_data", Bytes.of(sha384.toArray(), 0, 32), InitDataField.Binding.ZERO_PADDED).binds(sha384)).isTrue();
        assertThat(new InitDataField("host_data", Bytes.zeros(32), InitDataField.Binding.ZERO_PADDED).binds(sha384)).isFalse();
        // CCA's personalization value holds exactly the digest: a shorter one never matches
        assertThat(new InitDataField("personalization_value", Bytes.of(Arrays.copyOf(sha256.toArray(), 64)), InitDataField.Binding.EXACT)
                .binds(sha256)).isFalse();
        // PCR 8: SHA-256(32 zeros || digest), and only a 32-byte digest
        byte[] extend = new byte[64];
        System.arraycopy(sha256.toArray(), 0, extend, 32, 32);
        InitDataField pcr8 = new InitDataField("pcr8", Bytes.of(HashAlgorithm.SHA256.hash(extend)), InitDataField.Binding.PCR_EXTENDED);
        assertThat(pcr8.binds(sha256)).isTrue();
        assertThat(pcr8.binds(sha384)).isFalse();
    }

    @Test
    void badInitDataIsRefusedByField() {
        assertThatThrownBy(() -> InitData.parse("json", "{}")).isInstanceOf(AttestationException.class).hasMessageContaining("init-data.format");
        assertThatThrownBy(() -> InitData.parse("toml", "not = = toml")).hasMessageContaining("init-data.body: not TOML");
        assertThatThrownBy(() -> InitData.parse("toml", "algorithm = \"sha384\"\n[data]\n")).hasMessageContaining("init-data.body: version");
        assertThatThrownBy(() -> InitData.parse("toml", "version = \"0.1.0\"\nalgorithm = \"sha-256\"\n[data]\n"))
                .hasMessageContaining("init-data.body: algorithm").hasMessageContaining("'sha-256'");
        assertThatThrownBy(() -> InitData.parse("toml", "version = \"0.1.0\"\nalgorithm = \"sha256\"\n")).hasMessageContaining("init-data.body: data");
        assertThatThrownBy(() -> InitData.parse("toml", "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\nx = 1\n"))
                .hasMessageContaining("init-data.body: data.x: must be a string");
        assertThatThrownBy(() -> InitData.parse("toml", "x".repeat(InitData.MAX_SIZE + 1))).hasMessageContaining("init-data.body");
    }
}
