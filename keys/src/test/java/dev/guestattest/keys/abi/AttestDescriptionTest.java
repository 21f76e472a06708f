// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttestDescriptionTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "guest_attest:0:0, 0, 0",
            "guest_attest:3:7, 3, 7",
            "guest_attest:2:18446744073709551615, 2, -1",
            "guest_attest:1:9223372036854775808, 1, -9223372036854775808"})
    void validDescriptionsParseAndPrintBackTheSame(String text, int level, long id) {
        AttestDescription d = AttestDescription.parse(text);
        assertThat(d.level()).isEqualTo(level);
        assertThat(d.id()).isEqualTo(id);
        assertThat(d).hasToString(text);
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
            "guest_attest:|description|lacks ':<id>'",
            "guest_attest:9:1|description level|'9' is not a privilege level 0..3",
            "guest_attest:0:x|description id|'x' is not an unsigned decimal",
            "guest_attest:-1:0|description level|'-1' is not a privilege level 0..3",
            "guest_attest:0:|description id|'' is not an unsigned decimal",
            "guest_attest:0:01|description id|'01' is not an unsigned decimal without leading zeros",
            "guest_attest:0:+1|description id|'+1'",
            "guest_attest:0:1-tag|description id|'1-tag'",
            "guest_attest:00:1|description level|'00'",
            "guest_attest:0:18446744073709551616|description id|exceeds 18446744073709551615",
            "user:0:0|description|does not start with 'guest_attest:'",
            "guest_attest0:0|description|does not start with 'guest_attest:'"})
    void badDescriptionsNameTheFieldAndTheRule(String text, String field, String problem) {
        assertThatThrownBy(() -> AttestDescription.parse(text))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith(field + ": ")
                .hasMessageContaining(problem);
    }

    @Test
    void hugeOrControlCharacterDescriptionsAreCutInMessages() {
        String hostile = "x\n".repeat(2000);
        assertThatThrownBy(() -> AttestDescription.parse(hostile))
                .hasMessageNotContaining("\n").message().hasSizeLessThan(200);
    }

    @Test
    void levelOutsideRangeCannotBeConstructed() {
        assertThatThrownBy(() -> new AttestDescription(4, 0)).hasMessage("description level: 4 is outside 0..3");
    }
}
