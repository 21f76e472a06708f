// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.s390.abi.Arcb;
import dev.guestattest.s390.abi.AttestationResponse;
import dev.guestattest.s390.verify.SecureExecutionVerifier;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.abi.TpmAttest;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.abi.TpmSignature;
import dev.guestattest.tpm.azure.AzureCvmEvidence;
import dev.guestattest.tpm.verify.TpmEvidenceVerifier;
import java.util.Map;

/** IBM Secure Execution responses, requests and image headers; TPM structures, quote evidence and Azure CVM evidence. */
class S390TpmFuzzTest {
    @FuzzTest(maxDuration = Campaign.DURATION)
    void s390(byte[] data) {
        Untrusted.parse(() -> AttestationResponse.fromJson(data));
        Untrusted.parse(() -> Arcb.parse(data));
        Untrusted.parse(() -> SecureExecutionVerifier.image(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void tpmStructures(byte[] data) {
        Untrusted.parse(() -> TpmAttest.parse(data));
        Untrusted.parse(() -> TpmPublic.parse(data));
        Untrusted.parse(() -> TpmSignature.parse(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void tpmEvidence(byte[] data) {
        Untrusted.parse(() -> TpmEvidence.fromJson(data));
        Untrusted.verify(new TpmEvidenceVerifier(), data, Map.of());
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void azureEvidence(byte[] data) {
        Untrusted.parse(() -> AzureCvmEvidence.fromJson(data));
    }
}
