// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.s390.emulator.S390EmulatedProvider;
import dev.guestattest.s390.request.AttestationRequest;
import dev.guestattest.verify.ar4si.Tier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CoVE and Secure Execution through the same entry point, from their emulators. */
class EmulatedTeeAppraisalTest {
    @TempDir
    Path state;

    private static byte[] report(ProviderContext ctx, String provider, byte[] inblob) {
        try (ProviderSession s = ProviderSession.open(Optional.of(provider), ctx)) {
            return s.report(ReportRequest.of(inblob)).outblob().toArray();
        }
    }

    @Test
    void coveEvidenceAppraisesAgainstItsDiceRoot() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        byte[] challenge = new byte[64];
        challenge[0] = 1;
        byte[] ev = report(ctx, "cove/emulated", challenge);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        String initial = tsm.read("initial").hex();
        var policy = dev.guestattest.verify.policy.Policy.parse(("{\"id\": \"c\", \"tees\": [\"cove\"], \"allow_debug\": true,"
                + " \"reference_values\": {\"initial_measurement\": [\"" + initial + "\"]}}").getBytes(StandardCharsets.UTF_8));
        AppraisalContext context = AppraisalContext.of(policy, Instant.now()).withReportData(Bytes.of(challenge));
        Appraisal a = Appraiser.discover().appraise(Evidence.of(Bytes.of(ev), Map.of()), context.withRoots(List.of(tsm.rootCertificate())));
        assertThat(a.format()).isEqualTo("cove");
        assertThat(a.failures()).isEmpty();
        assertThat(a.status()).isEqualTo(Tier.AFFIRMING);
        // without the DICE root nothing is trusted
        Appraisal noRoot = Appraiser.discover().appraise(Evidence.of(Bytes.of(ev), Map.of()), context);
        assertThat(noRoot.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(noRoot.failures()).extracting(Check::name).contains("dice.chain");
    }

    @Test
    void secureExecutionAppraisesWithTheRequestsSecretAndImage() throws Exception {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        S390EmulatedProvider p = S390EmulatedProvider.open(ctx);
        Bytes nonce = Bytes.fromHex("n", "77".repeat(16));
        AttestationRequest.Sealed req = AttestationRequest.create(List.of(p.ultravisor().hostPublicKey()), Optional.of(nonce), new SecureRandom());
        Path arcb = Files.write(state.resolve("r.arcb"), req.arcb());
        byte[] resp = report(ctx.withSetting("s390.arcb", arcb.toString()), "s390/emulated", "user".getBytes(StandardCharsets.US_ASCII));
        byte[] secret = new byte[80];
        System.arraycopy(req.measurementKey(), 0, secret, 0, 64);
        nonce.copyTo(secret, 64);
        var img = p.ultravisor().image();
        String image = "{\"pld\": \"" + img.pageListDigest().hex() + "\", \"ald\": \"" + img.addressListDigest().hex() + "\", \"tld\": \""
                + img.tweakListDigest().hex() + "\", \"tag\": \"" + img.tag().hex() + "\"}";
        var policy = dev.guestattest.verify.policy.Policy.parse(("{\"id\": \"s\", \"tees\": [\"s390\"], \"allow_debug\": true,"
                + " \"reference_values\": {\"initial_measurement\": [\"" + img.tag().hex() + "\"]}}").getBytes(StandardCharsets.UTF_8));
        Map<String, Bytes> aux = Map.of("secret", Bytes.of(secret), "image", Bytes.of(image.getBytes(StandardCharsets.UTF_8)));
        Appraisal a = Appraiser.discover().appraise(Evidence.of(Bytes.of(resp), aux), AppraisalContext.of(policy, Instant.now()));
        assertThat(a.format()).isEqualTo("s390");
        assertThat(a.failures()).isEmpty();
        assertThat(a.status()).isEqualTo(Tier.AFFIRMING);
        // another request's secret: the measurement does not match
        byte[] wrong = secret.clone();
        wrong[0] ^= 1;
        Appraisal bad = Appraiser.discover().appraise(Evidence.of(Bytes.of(resp), Map.of("secret", Bytes.of(wrong), "image", aux.get("image"))),
                AppraisalContext.of(policy, Instant.now()));
        assertThat(bad.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(bad.failures()).extracting(Check::name).containsExactly("measurement");
    }
}
