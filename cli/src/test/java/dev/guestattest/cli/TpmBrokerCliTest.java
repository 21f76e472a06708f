// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.TpmProviders;
import dev.guestattest.tpm.testing.Swtpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TPM guest's {@code secret get}: it attests as guest-components' TPM attester does (RSA AK, the
 * SHA-256 bank's 24 PCRs, 32 bytes of report data), the form a Trustee reads; the TPM provider's own
 * form is for this project's {@code report} and {@code verify}.
 */
class TpmBrokerCliTest {
    private static final String POLICY = "{\"id\": \"tpm\", \"tees\": [\"tpm\"], \"allow_debug\": true}";
    @TempDir
    Path tmp;
    @RegisterExtension
    final CliRun cli = new CliRun();

    @Test
    void aTpmGuestGetsItsSecretWithGuestComponentsEvidenceUnderThePinnedAk() throws Exception {
        try (Swtpm swtpm = Swtpm.start(tmp.resolve("swtpm"))) {
            String provider = "tpm/swtpm:127.0.0.1:" + swtpm.port();
            // the operator's enrolment: the AK that quotes in guest-components' form, read once from the TPM
            Bytes ak;
            try (ProviderSession s = ProviderSession.open(Optional.of(provider),
                    ProviderContext.defaults().withSetting(TpmProviders.EVIDENCE, "guest-components"))) {
                ak = TpmEvidence.fromJson(s.report(ReportRequest.of(new byte[32])).outblob().toArray()).akPublic();
            }
            try (LoopbackBroker broker = LoopbackBroker.start(tmp, c -> c.withTrustedAux("tpm", "ak", ak), POLICY)) {
                // a TPM's appraisal without reference values is a warning; this resource accepts that
                broker.resourcePolicy("{\"rules\": [{\"path\": \"tpm/*/*\", \"tees\": [\"tpm\"], \"status\": \"warning\"}]}")
                        .put("tpm/disk/key", "sealed for the TPM guest".getBytes(StandardCharsets.UTF_8));
                Path out = tmp.resolve("secret");
                assertThat(cli.run("secret", "get", "kbs:///tpm/disk/key", "--broker", broker.uri().toString(), "--provider", provider,
                        "--out", out.toString())).as(cli.stderr()).isZero();
                assertThat(Files.readString(out)).isEqualTo("sealed for the TPM guest");
                // the same guest told to send this project's form: another AK (ECC), which is not the one pinned
                assertThat(cli.run("secret", "get", "kbs:///tpm/disk/key", "--broker", broker.uri().toString(), "--provider", provider,
                        "--setting", TpmProviders.EVIDENCE + "=guestattest", "--out", tmp.resolve("other").toString())).isEqualTo(1);
                assertThat(cli.stderr()).contains("ak.pinned");
            }
        }
    }
}
