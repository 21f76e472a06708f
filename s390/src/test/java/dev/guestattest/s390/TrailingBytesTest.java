// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.s390.abi.AttestationResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A response with anything after its JSON, or a key given twice, is refused: nothing in evidence goes unread. */
class TrailingBytesTest {
    private final byte[] json = new AttestationResponse(Bytes.zeros(64), Bytes.EMPTY, Bytes.zeros(16), Bytes.fromHex("u", "0102")).toJson();

    @Test
    void trailingBytesAndDuplicateKeysAreRefused() {
        assertThat(AttestationResponse.fromJson(json).userData()).isEqualTo(Bytes.fromHex("u", "0102"));
        byte[] trailing = (new String(json, StandardCharsets.UTF_8) + "\"x\"").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AttestationResponse.fromJson(trailing)).isInstanceOf(AttestationException.class)
                .hasMessageContaining("s390 response: not one JSON document");
        String text = new String(json, StandardCharsets.UTF_8);
        byte[] twice = text.replaceFirst("\\{", "{\"user_data\": \"ff\",").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AttestationResponse.fromJson(twice)).hasMessageContaining("user_data");
    }
}
