// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputRulesTest {
    private final InputRules tdx = InputRules.exactly(64, false, false);

    @Test
    void tdxNeedsExactly64Bytes() {
        assertThat(tdx.apply("tdx/emulated", ReportRequest.of(new byte[64])).inblob().length()).isEqualTo(64);
        assertThatThrownBy(() -> tdx.apply("tdx/emulated", ReportRequest.of(new byte[63])))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith("inblob: 63 bytes; tdx/emulated requires exactly 64 bytes");
    }

    @Test
    void emptyInblobIsRejectedAsTheKernelDoes() {
        assertThatThrownBy(() -> tdx.apply("tdx/emulated", ReportRequest.of(new byte[0]))).hasMessageStartingWith("inblob: empty");
    }

    @Test
    void privlevelAndServicesOnlyWhereTheProviderHasThem() {
        assertThatThrownBy(() -> tdx.apply("tdx/x", ReportRequest.builder().inblob(new byte[64]).privlevel(1).build()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("privlevel");
        assertThatThrownBy(() -> tdx.apply("tdx/x", ReportRequest.builder().inblob(new byte[64]).serviceProvider("svsm").build()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void rangeRulesPadShortDataWithZeros() {
        InputRules cca = new InputRules(32, 64, 64, true, false);
        byte[] challenge = new byte[40];
        challenge[39] = 5;
        ReportRequest padded = cca.apply("cca/x", ReportRequest.of(challenge));
        assertThat(padded.inblob().length()).isEqualTo(64);
        assertThat(padded.inblob().get(39)).isEqualTo((byte) 5);
        assertThat(padded.inblob().get(63)).isZero();
        assertThatThrownBy(() -> cca.apply("cca/x", ReportRequest.of(new byte[31]))).hasMessageContaining("requires 32..64 bytes");
    }
}
