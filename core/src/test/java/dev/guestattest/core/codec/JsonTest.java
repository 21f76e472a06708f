// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The strict reader: the same trees as Jackson's own mapper builds, and what it refuses. */
class JsonTest {
    @Test
    void treesAreTheOnesJacksonsMapperBuilds() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Random random = new Random(21);
        for (int i = 0; i < 300; i++) {
            String doc = document(random, 0);
            assertThat(Json.tree("doc", doc)).as(doc).isEqualTo(mapper.readTree(doc));
            assertThat(Json.tree("doc", doc.getBytes(StandardCharsets.UTF_8))).as(doc).isEqualTo(mapper.readTree(doc));
        }
        String numbers = "[0, -1, 2147483647, 2147483648, -9223372036854775808, 9223372036854775808, 1.5, -0.0, 1e300, \"\\u00e9\"]";
        assertThat(Json.tree("numbers", numbers)).isEqualTo(mapper.readTree(numbers));
    }

    @Test
    void duplicateKeysTrailingValuesAndEmptyInputAreRefusedByName() {
        assertThatThrownBy(() -> Json.tree("tcb info", "{\"tcbLevels\": [], \"tcbLevels\": [1]}")).isInstanceOf(AttestationException.class)
                .hasMessageContaining("tcb info").hasMessageContaining("Duplicate field 'tcbLevels'");
        assertThatThrownBy(() -> Json.tree("doc", "{} {}")).isInstanceOf(AttestationException.class)
                .hasMessageContaining("doc: not one JSON document: more follows");
        assertThatThrownBy(() -> Json.tree("doc", "  ")).isInstanceOf(AttestationException.class).hasMessageContaining("doc: is empty");
        assertThatThrownBy(() -> Json.tree("doc", "{\"a\": ")).isInstanceOf(AttestationException.class)
                .hasMessageContaining("doc: not one JSON document");
        assertThatThrownBy(() -> Json.tree("deep", "[".repeat(5000) + "]".repeat(5000))).isInstanceOf(AttestationException.class)
                .hasMessageContaining("deep: not one JSON document").hasMessageContaining("nesting depth");
    }

    private static String document(Random r, int depth) {
        int kind = depth > 3 ? 2 + r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0 -> {
                StringBuilder b = new StringBuilder("{");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(document(r, depth + 1));
                }
                return b.append('}').toString();
            }
            case 1 -> {
                StringBuilder b = new StringBuilder("[");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(document(r, depth + 1));
                }
                return b.append(']').toString();
            }
            case 2 -> {
                return "\"s" + r.nextInt(1000) + "\\n\"";
            }
            case 3 -> {
                return Long.toString(r.nextBoolean() ? r.nextInt() : r.nextLong());
            }
            case 4 -> {
                return Double.toString(r.nextDouble() * 1e6);
            }
            case 5 -> {
                return r.nextBoolean() ? "true" : "false";
            }
            default -> {
                return "null";
            }
        }
    }
}
