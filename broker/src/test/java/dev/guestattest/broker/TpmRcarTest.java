// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.testing.Swtpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RCAR with a real TPM (swtpm): the broker pins the TPM's AK (a guest cannot bring one), the quote's qualifying data binds the runtime data. */
class TpmRcarTest {
    @TempDir
    Path tmp;

    @Test
    void aTpmQuoteWithThePinnedAkReceivesItsSecretAndAnotherAkDoesNot() throws Exception {
        try (Swtpm tpm = Swtpm.start(tmp.resolve("swtpm"))) {
            ProviderContext ctx = ProviderContext.defaults().withSetting("tpm.pcrs", "0-7,16");
            KbsClient.Attester attester = rd -> {
                try (ProviderSession s = ProviderSession.open(Optional.of(tpm.provider()), ctx)) {
                    return new Evidence(Optional.empty(), s.report(ReportRequest.of(rd.toArray())).outblob(), Map.of());
                }
            };
            // pin the AK as an operator would from the TPM's enrolment (here: trust on first use)
            Bytes ak = TpmEvidence.fromJson(attester.evidence(Bytes.zeros(64)).bytes().toArray()).akPublic();
            try (BrokerFixture f = new BrokerFixture(tmp.resolve("tees"), tmp, "store", c -> c.withTrustedAux("tpm", "ak", ak))) {
                assertThat(f.admin("POST", "/kbs/v0/attestation-policy", "{\"id\": \"tpm\", \"tees\": [\"tpm\"], \"allow_debug\": true}")
                        .status()).isEqualTo(200);
                assertThat(f.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"test/*/*\", \"status\": \"warning\"}]}")
                        .status()).isEqualTo(200);
                f.admin("POST", "/kbs/v0/resource/test/key/tpm", "sealed for the TPM guest");
                String got = f.client().get("tpm", attester, "test/key/tpm").apply(b -> new String(b, StandardCharsets.UTF_8));
                assertThat(got).isEqualTo("sealed for the TPM guest");
            }
            // a broker that pinned another AK refuses this TPM
            Bytes other = Bytes.of(ak.toArray().clone());
            byte[] o = other.toArray();
            o[o.length - 1] ^= 1;
            try (BrokerFixture f = new BrokerFixture(tmp.resolve("tees"), tmp, "store2", c -> c.withTrustedAux("tpm", "ak", Bytes.of(o)))) {
                f.admin("POST", "/kbs/v0/attestation-policy", "{\"id\": \"tpm\", \"tees\": [\"tpm\"], \"allow_debug\": true}");
                assertThatThrownBy(() -> f.client().attest("tpm", attester)).hasMessageContaining("401").hasMessageContaining("contraindicated");
            }
        }
    }
}
