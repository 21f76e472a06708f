// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportRequest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CalloutTest {
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 20, 32, 63, 64})
    void dataUpTo64BytesBecomesAZeroPaddedInblobAtTheDescriptionsLevel(int n) {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        ReportRequest r = Callout.request(AttestDescription.parse("guest_attest:2:5"), Base64.getEncoder().encodeToString(data));
        assertThat(r.inblob().length()).isEqualTo(64);
        assertThat(Arrays.copyOf(r.inblob().toArray(), n)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(r.inblob().toArray(), n, 64)).isEqualTo(new byte[64 - n]);
        assertThat(r.privlevel()).isEqualTo(2);
    }

    @Test
    void paddingIsOptional() {
        assertThat(Callout.decode("YWI").toArray()).isEqualTo(new byte[] {'a', 'b'});
        assertThat(Callout.decode("YWI=").toArray()).isEqualTo(new byte[] {'a', 'b'});
    }

    @Test
    void sixtyFiveBytesIsTooLarge() {
        String b64 = Base64.getEncoder().encodeToString(new byte[65]);
        assertThatThrownBy(() -> Callout.decode(b64))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessage("callout: 65 bytes exceeds the limit of 64 bytes");
    }

    @Test
    void aHugeCalloutIsRefusedBeforeDecoding() {
        assertThatThrownBy(() -> Callout.decode("A".repeat(100_000)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessage("callout: 100000 base64 characters decode to more than the limit of 64 bytes");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"!!!", "YW I=", "YWI=\n", "YQ=Q", "*"})
    void nonBase64IsInvalid(String text) {
        assertThatThrownBy(() -> Callout.decode(text))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith("callout: not base64");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "-"})
    void aMissingCalloutSaysHowToPassOne(String text) {
        assertThatThrownBy(() -> Callout.decode(text))
                .hasMessageStartingWith("callout: missing").hasMessageContaining("base64 -w0");
    }
}
