// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.s390.emulator.S390EmulatedProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RCAR with IBM Secure Execution: the broker makes the attestation request (sealed to the host key
 * it trusts) and hands the ARCB out in the challenge, keeps its measurement key sealed with the
 * session, and checks the ultravisor's measurement over the image it trusts.
 */
class S390RcarTest {
    @TempDir
    Path tmp;

    /** The guest: the challenge's ARCB to the emulated ultravisor, with the runtime data's hash as user data. */
    private static KbsClient.Attester guest(ProviderContext ctx, Path dir) {
        return new KbsClient.Attester() {
            @Override
            public Evidence evidence(Bytes reportData) {
                throw new AssertionError("s390 evidence needs the challenge's ARCB");
            }

            @Override
            public Evidence evidence(Bytes reportData, Map<String, String> extra) {
                try {
                    Path arcb = Files.write(Files.createTempFile(dir, "arcb", ".bin"), Base64.getDecoder().decode(extra.get("arcb")));
                    try (ProviderSession s = ProviderSession.open(Optional.of("s390/emulated"), ctx.withSetting("s390.arcb", arcb.toString()))) {
                        return new Evidence(Optional.empty(), s.report(ReportRequest.of(reportData.toArray())).outblob(), Map.of());
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }
        };
    }

    @Test
    void theBrokerMakesTheRequestKeepsItsSecretAndReleasesToTheMeasuredImage() throws Exception {
        Path tees = tmp.resolve("tees");
        ProviderContext ctx = ProviderContext.defaults().withStateDir(tees);
        S390EmulatedProvider uv = S390EmulatedProvider.open(ctx);
        var img = uv.ultravisor().image();
        Bytes hostKey = Bytes.of(Pem.encode("PUBLIC KEY", uv.ultravisor().hostPublicKey().getEncoded()).getBytes(StandardCharsets.US_ASCII));
        Bytes image = Bytes.of(("{\"pld\": \"" + img.pageListDigest().hex() + "\", \"ald\": \"" + img.addressListDigest().hex() + "\", \"tld\": \""
                + img.tweakListDigest().hex() + "\", \"tag\": \"" + img.tag().hex() + "\"}").getBytes(StandardCharsets.UTF_8));
        try (BrokerFixture f = new BrokerFixture(tees, tmp, "store", c -> c.withTrustedAux("s390", "host-key", hostKey)
                .withTrustedAux("s390", "image", image))) {
            assertThat(f.admin("POST", "/kbs/v0/attestation-policy", "{\"id\": \"se\", \"tees\": [\"s390\"], \"allow_debug\": true,"
                    + " \"reference_values\": {\"initial_measurement\": [\"" + img.tag().hex() + "\"]}}").status()).isEqualTo(200);
            f.admin("POST", "/kbs/v0/resource/prod/disk/se", "an SE guest's disk key");
            var challenge = f.call("POST", "/kbs/v0/auth", "{\"tee\": \"se\"}", Optional.empty(), Optional.empty()).json();
            assertThat(challenge.get("extra-params").get("arcb").asText()).as("Trustee's name 'se' gets the request too").isNotEmpty();
            assertThat(challenge.toString()).doesNotContain("secret");
            String got = f.client().get("s390", guest(ctx, tmp), "prod/disk/se").apply(b -> new String(b, StandardCharsets.UTF_8));
            assertThat(got).isEqualTo("an SE guest's disk key");
            // a guest that sends its own request secret is refused; so is a guest answering another session's request
            assertThatThrownBy(() -> f.client().get("s390", new KbsClient.Attester() {
                @Override
                public Evidence evidence(Bytes rd) {
                    throw new AssertionError();
                }

                @Override
                public Evidence evidence(Bytes rd, Map<String, String> extra) {
                    Evidence e = guest(ctx, tmp).evidence(rd, extra);
                    return new Evidence(Optional.empty(), e.bytes(), Map.of("secret", Bytes.zeros(80)));
                }
            }, "prod/disk/se")).hasMessageContaining("400").hasMessageContaining("trust anchor");
            var other = f.call("POST", "/kbs/v0/auth", "{\"tee\": \"s390\"}", Optional.empty(), Optional.empty()).json();
            assertThatThrownBy(() -> f.client().get("s390", new KbsClient.Attester() {
                @Override
                public Evidence evidence(Bytes rd) {
                    throw new AssertionError();
                }

                @Override
                public Evidence evidence(Bytes rd, Map<String, String> extra) {
                    return guest(ctx, tmp).evidence(rd, Map.of("arcb", other.get("extra-params").get("arcb").asText()));
                }
            }, "prod/disk/se")).hasMessageContaining("401").hasMessageContaining("measurement");
        }
        // a broker without the host key says what is missing
        try (BrokerFixture f = new BrokerFixture(tees, tmp, "store2")) {
            var r = f.call("POST", "/kbs/v0/auth", "{\"tee\": \"s390\"}", Optional.empty(), Optional.empty());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().get("detail").asText()).contains("not set up for s390").contains("host-key");
        }
    }
}
