// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpEvidenceVerifier;
import dev.guestattest.snp.verify.VcekExtensions;
import java.util.Map;

/** AMD SEV-SNP: reports, the certificate table, VCEK certificates and their AMD extensions, and the verifier. */
class SnpFuzzTest {
    private static final SnpEvidenceVerifier VERIFIER = new SnpEvidenceVerifier();

    @FuzzTest(maxDuration = Campaign.DURATION)
    void report(byte[] data) {
        Untrusted.parse(() -> AttestationReport.parse(data));
        Untrusted.verify(VERIFIER, data, Map.of("certs", Campaign.SNP_VCEK));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void certTable(byte[] data) {
        Untrusted.parse(() -> SnpCertificates.fromTable(CertTable.parse(data)));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void vcekCertificate(byte[] data) {
        Untrusted.parse(() -> VcekExtensions.of(SnpCertificates.ofSigner(data).signer()));
        Untrusted.verify(VERIFIER, new byte[AttestationReport.SIZE], Map.of("certs", Bytes.of(data)));
    }
}
