// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.snp.abi.AttestationReport;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every single-byte change in a real report's signed region (0x000-0x29F) is rejected by a named check. */
class TamperedReportTest {
    @Test
    void everySignedByteOfBothRealReportsIsCovered() {
        record Case(byte[] report, SnpCertificates certs) {
        }
        SnpVerifier verifier = RealReportVerificationTest.verifier(RealReportVerificationTest.NOW);
        for (Case c : List.of(new Case(Vectors.read(RealReportVerificationTest.GO_REPORT),
                        SnpCertificates.ofSigner(Vectors.read(RealReportVerificationTest.GO_VCEK))),
                new Case(RealReportVerificationTest.virteeReport(), SnpCertificates.ofSigner(Vectors.read(RealReportVerificationTest.VIRTEE_VCEK))))) {
            assertThat(verifier.verify(c.report(), c.certs()).trusted()).isTrue();
            for (int i = 0; i < AttestationReport.SIGNED_SIZE; i++) {
                for (int flip : new int[] {0x01, 0x80}) {
                    byte[] t = c.report().clone();
                    t[i] ^= (byte) flip;
                    SnpVerification v = verifier.verify(t, c.certs());
                    Set<String> failed = v.result().failures().stream().map(Check::name).collect(Collectors.toSet());
                    assertThat(failed).as("byte 0x%x ^ 0x%02x", i, flip).contains("report.signature");
                }
            }
        }
    }
}
