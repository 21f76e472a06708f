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
    static final String CANONICAL = "{\"nonce\":\"qOV0bG\",\"tee-pubkey\":{\"alg\":\"ES256\",\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"ab\",\"y\":\"cd\"}}";

    static JsonNode jwk() throws Exception {
        return new ObjectMapper().readTree(JWK);
    }

    @Test
    void theRuntimeDataIsCompactSortedJsonAndItsHashIsPaddedTo64() throws Exception {
        assertThat(new String(RuntimeData.canonical("qOV0bG", jwk()), StandardCharsets.UTF_8)).isEqualTo(CANONICAL);
        // expected values computed independently (Python hashlib over CANONICAL)
        assertThat(RuntimeData.reportData("qOV0bG", jwk(), RuntimeData.Hash.SHA384).hex()).isEqualTo(
                "f54c71cd0326b0d39789d396f40212b9bfaf1cfcb4eecf0aedd09ff05bf1548ae7f53427ddf4c5377724e1b3b243cc9e" + "00".repeat(16));
        assertThat(RuntimeData.reportData("qOV0bG", jwk(), RuntimeData.Hash.named("SHA256")).hex())
                .isEqualTo("ca0999364951634d5f6ed15e54c177c95e47e7fe1153b7c652ae36b33fdef3a5" + "00".repeat(32));
        assertThat(RuntimeData.reportData("qOV0bG", jwk(), RuntimeData.Hash.SHA512).length()).isEqualTo(64);
        assertThat(RuntimeData.reportData("other", jwk(), RuntimeData.Hash.SHA384))
                .isNotEqualTo(RuntimeData.reportData("qOV0bG", jwk(), RuntimeData.Hash.SHA384));
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> RuntimeData.Hash.named("md5")).hasMessageContaining("'md5' is not sha256, sha384 or sha512");
        assertThatThrownBy(() -> RuntimeData.canonical("n", new ObjectMapper().readTree("{\"x\": 1}"))).hasMessageContaining("tee-pubkey");
    }
}
