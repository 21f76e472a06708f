// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void neverPrintsItsBytesAndWipesOnDestroy() {
        byte[] material = {0x41, 0x42, 0x43};
        Secret s = Secret.copyOf(material);
        material[0] = 0; // the secret holds its own copy
        assertThat(s.toString()).isEqualTo("Secret[3 bytes, redacted]").doesNotContain("ABC");
        assertThat(s.copy()).containsExactly(0x41, 0x42, 0x43);
        byte[][] seen = new byte[1][];
        s.apply(b -> seen[0] = b);
        s.destroy();
        assertThat(s.isDestroyed()).isTrue();
        assertThat(seen[0]).containsOnly(0);
        assertThatThrownBy(s::copy).hasMessage("secret was destroyed");
    }

    @Test
    void readingIsBoundedAndNeverTruncates() {
        assertThat(Secret.read(new ByteArrayInputStream(new byte[32]), 32, "secret").length()).isEqualTo(32);
        assertThatThrownBy(() -> Secret.read(new ByteArrayInputStream(new byte[33]), 32, "secret"))
                .hasMessage("secret: more than the limit of 32 bytes");
        assertThatThrownBy(() -> Secret.read(new ByteArrayInputStream(new byte[0]), 32, "secret")).hasMessage("secret: is empty");
    }
}
