// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every target in one fuzzing run: a JVM with Jazzer's agent takes about 40 s to start, so CI fuzzes
 * all targets in one process (the first byte picks the target) rather than one process per target.
 * The per-target methods stay for focused local campaigns and keep their own regression inputs.
 */
class CampaignFuzzTest {
    /** CI's whole campaign; with start-up it stays within about five minutes. */
    static final String CI_DURATION = "210s";

    /** In this order: .ci/fuzz names a seed's target by its index here, so new targets go at the end. */
    private static final List<Consumer<byte[]>> TARGETS = targets();

    private static List<Consumer<byte[]>> targets() {
        TdxFuzzTest tdx = new TdxFuzzTest();
        SnpFuzzTest snp = new SnpFuzzTest();
        CcaCoveFuzzTest ccaCove = new CcaCoveFuzzTest();
        S390TpmFuzzTest s390Tpm = new S390TpmFuzzTest();
        EventLogFuzzTest logs = new EventLogFuzzTest();
        DocumentFuzzTest documents = new DocumentFuzzTest();
        AppraisalFuzzTest appraisal = new AppraisalFuzzTest();
        CollateralFuzzTest collateral = new CollateralFuzzTest();
        TrusteeFuzzTest trustee = new TrusteeFuzzTest();
        return List.of(tdx::quote, tdx::tdReport, tdx::collateral, snp::report, snp::certTable, snp::vcekCertificate,
                ccaCove::ccaToken, ccaCove::ccaTrustAnchorsAndReferenceValues, ccaCove::coveChain, ccaCove::diceExtensions,
                s390Tpm::s390, s390Tpm::tpmStructures, s390Tpm::tpmEvidence, s390Tpm::azureEvidence,
                logs::celTlv, logs::celJson, logs::tcg2, documents::policies, documents::referenceValues, documents::teeKey,
                appraisal::appraise, collateral::cachedDocument, collateral::pcsResponse, collateral::kdsResponse,
                trustee::evidenceShapes, trustee::attestBody, trustee::initData, trustee::adminToken);
    }

    @FuzzTest(maxDuration = CI_DURATION)
    void everyTarget(byte[] data) {
        if (data.length > 0) {
            TARGETS.get(Byte.toUnsignedInt(data[0]) % TARGETS.size()).accept(Arrays.copyOfRange(data, 1, data.length));
        }
    }
}
