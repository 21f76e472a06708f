// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.verify.freshness.RuntimeData;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RuntimeDataTest {
    // members deliberately out of order: the canonical form sorts them
    static final String JWK = "{\"y\": \"cd\", \"kty\": \"EC\", \"x\": \"ab\", \"crv\": \"P-256\", \"alg\": \"ES256\"}";

    static JsonNode jwk() throws Exception {
        return new ObjectMapper().readTree(JWK);
    }

    /**
     * guest-components 8246e5e0 {@code kbs_protocol/src/client/rcar_client.rs} {@code get_composite_evidence}:
     * {@code serialize_json_canonically(json!({"tee-pubkey", "nonce", "additional-evidence"}))}, hashed; expected values
     * from Python (json.dumps sort_keys, compact, ensure_ascii=False: the JCS form for these inputs, hashlib).
     */
    @Test
    void guestComponentsBindTheAdditionalEvidenceInJcsForm() throws Exception {
        assertThat(new String(RuntimeData.canonical("qOV0bG", jwk(), ""), StandardCharsets.UTF_8)).isEqualTo(
                "{\"additional-evidence\":\"\",\"nonce\":\"qOV0bG\",\"tee-pubkey\":{\"alg\":\"ES256\",\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"ab\",\"y\":\"cd\"}}");
        assertThat(RuntimeData.reportData("qOV0bG", jwk(), "", RuntimeData.Hash.SHA384).hex()).isEqualTo(
                "65e11a4e6bcb65b8ad2bd997b8189acf243010adcc9fb71c2ac2a588c528850f9d83ac259702f6724e54f68c34f48b68" + "00".repeat(16));
        // JCS escapes: quotes escaped, a control character as lower-case \\u00xx, non-ASCII as UTF-8
        assertThat(RuntimeData.reportData("qOV0bG", jwk(), "{\"nvgpu\":\"\u00e9\u0007\"}", RuntimeData.Hash.SHA384).hex()).isEqualTo(
                "b881501b5a4bafa0b82e14684bfb69cbeea2278023cd51b621d9048a563a553d5acfd87d4ae93a680bb4d9d83bc83f61" + "00".repeat(16));
    }

    @Test
    void theLegacyRuntimeDataIsCompactSortedJsonAndItsHashIsPaddedTo64() throws Exception {
        // expected values computed independently (Python hashlib over the sorted compact {"nonce","tee-pubkey"})
        assertThat(RuntimeData.legacyReportData("qOV0bG", jwk(), RuntimeData.Hash.SHA384).hex()).isEqualTo(
                "f54c71cd0326b0d39789d396f40212b9bfaf1cfcb4eecf0aedd09ff05bf1548ae7f53427ddf4c5377724e1b3b243cc9e" + "00".repeat(16));
        assertThat(RuntimeData.legacyReportData("qOV0bG", jwk(), RuntimeData.Hash.named("SHA256")).hex())
                .isEqualTo("ca0999364951634d5f6ed15e54c177c95e47e7fe1153b7c652ae36b33fdef3a5" + "00".repeat(32));
        assertThat(RuntimeData.legacyReportData("qOV0bG", jwk(), RuntimeData.Hash.SHA512).length()).isEqualTo(64);
        assertThat(RuntimeData.legacyReportData("other", jwk(), RuntimeData.Hash.SHA384))
                .isNotEqualTo(RuntimeData.legacyReportData("qOV0bG", jwk(), RuntimeData.Hash.SHA384));
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> RuntimeData.Hash.named("md5")).hasMessageContaining("'md5' is not sha256, sha384 or sha512");
        assertThatThrownBy(() -> RuntimeData.canonical("n", new ObjectMapper().readTree("{\"x\": 1}"), "")).hasMessageContaining("tee-pubkey");
    }
}
