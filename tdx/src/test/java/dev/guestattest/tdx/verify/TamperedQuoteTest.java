// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.tdx.abi.Quote;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every single-byte change in the signed region (header, v5 descriptor, body) of each real quote is caught by a named check. */
class TamperedQuoteTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            RealQuoteVerificationTest.V4 + ", " + RealQuoteVerificationTest.V4_COLLATERAL + ", 2025-07-01T00:00:00Z",
            RealQuoteVerificationTest.V5_OUTDATED + ", " + RealQuoteVerificationTest.V5_COLLATERAL + ", 2026-03-01T00:00:00Z",
            RealQuoteVerificationTest.V5_SAMPLE + ", " + RealQuoteVerificationTest.V5_COLLATERAL + ", 2026-03-01T00:00:00Z",
            RealQuoteVerificationTest.SPR + ", " + RealQuoteVerificationTest.SPR_COLLATERAL + ", 2023-07-01T01:00:00Z"})
    void everySignedByteIsCovered(String quotePath, String collateralPath, String at) {
        byte[] original = Vectors.read(quotePath);
        Collateral collateral = RealQuoteVerificationTest.collateral(collateralPath);
        TdxVerifier verifier = RealQuoteVerificationTest.at(at);
        assertThat(verifier.verify(original, collateral).result().check("quote.signature").orElseThrow().passed()).isTrue();
        int signed = Quote.parse(original).signedRegion().length;
        for (int i = 0; i < signed; i++) {
            for (int flip : new int[] {0x01, 0x80}) {
                byte[] tampered = original.clone();
                tampered[i] ^= (byte) flip;
                TdxVerification v = verifier.verify(tampered, collateral);
                Set<String> failed = v.result().failures().stream().map(Check::name).collect(Collectors.toSet());
                assertThat(v.trusted()).as("byte %d ^ 0x%02x", i, flip).isFalse();
                assertThat(failed).as("byte %d ^ 0x%02x: %s", i, flip, v.result().failures())
                        .containsAnyElementsOf(List.of("quote.signature", "quote.format"));
            }
        }
    }
}
