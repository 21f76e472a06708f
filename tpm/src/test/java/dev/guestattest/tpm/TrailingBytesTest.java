// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.abi.TpmPublic;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Bytes after a structure's end are refused: nothing in evidence goes unread. */
class TrailingBytesTest {
    @Test
    void evidenceJsonWithAnythingAfterItIsRefused() {
        byte[] json = new TpmEvidence(Bytes.fromHex("a", "ff544347"), Bytes.fromHex("s", "0001"), Bytes.fromHex("k", "0023"), dev.guestattest.core.mr.HashAlgorithm.SHA256,
                Map.of(), Optional.empty()).toJson();
        byte[] trailing = (new String(json, StandardCharsets.UTF_8) + " {}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TpmEvidence.fromJson(trailing)).isInstanceOf(AttestationException.class)
                .hasMessageContaining("TPM evidence: not one JSON document");
    }

    @Test
    void aPublicAreaWithTrailingBytesIsRefused() {
        // TPMT_PUBLIC of an ECC P-256 restricted signing key, then one extra byte
        String area = "0023000b00050072" + "0000" + "0010" + "0018000b" + "0003" + "0010"
                + "0020" + "11".repeat(32) + "0020" + "22".repeat(32);
        TpmPublic.parse(Bytes.fromHex("ak", area).toArray());
        assertThatThrownBy(() -> TpmPublic.parse(Bytes.fromHex("ak", area + "00").toArray())).isInstanceOf(AttestationException.class)
                .hasMessageContaining("1 trailing bytes");
    }
}
