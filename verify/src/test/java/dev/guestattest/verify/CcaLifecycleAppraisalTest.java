// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import dev.guestattest.core.pki.Pem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.cose.Cbor;
import dev.guestattest.core.cose.CoseSign1;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CCA platform outside its secured lifecycle is a debug platform in the common claims, refused unless the policy allows debug. */
class CcaLifecycleAppraisalTest {
    /** Platform claim 2395 (security lifecycle) = 0x3000, as the emulated platform encodes it: key 0x19 095b, value 0x19 3000. */
    private static final byte[] SECURED = HexFormat.of().parseHex("19095b193000");

    @TempDir
    Path state;

    @Test
    void aGenuineTokenWhoseLifecycleSaysDebugIsNotAffirmedByDefault() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedRealm realm = EmulatedRealm.open(ctx);
        byte[] token;
        try (ProviderSession s = ProviderSession.open(Optional.of(EmulatedRealm.NAME), ctx)) {
            token = s.report(ReportRequest.of(new byte[64])).outblob().toArray();
        }
        Map<String, Bytes> aux = Map.of("cpak", Bytes.of(Pem.encode("PUBLIC KEY", realm.cpak().getEncoded()).getBytes(StandardCharsets.US_ASCII)));
        Appraisal secured = appraise(token, aux, "");
        assertThat(secured.claims().orElseThrow().debug()).contains(false);
        assertThat(secured.status()).isEqualTo(Tier.AFFIRMING);

        // the same platform signs the same token, but in lifecycle 0x5000 (non-PSA-RoT debug)
        byte[] debug = withLifecycle(token, 0x5000, state.resolve("cca/cpak.key"));
        Appraisal refused = appraise(debug, aux, "");
        assertThat(refused.check("platform.signature")).map(Check::passed).contains(true);
        assertThat(refused.claims().orElseThrow().debug()).contains(true);
        assertThat(refused.status()).isEqualTo(Tier.CONTRAINDICATED);
        assertThat(refused.trustVector().configuration()).isEqualTo(TrustVector.UNSUPPORTABLE_CONFIG);
        assertThat(refused.failures()).extracting(Check::toString).containsExactly(
                "FAIL policy.debug: on: the host can read and change the guest's memory");
        Appraisal allowed = appraise(debug, aux, ", \"allow_debug\": true");
        assertThat(allowed.status()).as("allowed, still not affirmed").isEqualTo(Tier.WARNING);
        // the edges of the secured range
        assertThat(appraise(withLifecycle(token, 0x30ff, state.resolve("cca/cpak.key")), aux, "").affirming()).isTrue();
        assertThat(appraise(withLifecycle(token, 0x2fff, state.resolve("cca/cpak.key")), aux, "").affirming()).isFalse();
        assertThat(appraise(withLifecycle(token, 0x3100, state.resolve("cca/cpak.key")), aux, "").affirming()).isFalse();
    }

    private static Appraisal appraise(byte[] token, Map<String, Bytes> aux, String extra) {
        Policy p = Policy.parse(("{\"id\": \"p\", \"tees\": [\"cca\"], \"reference_values\": {\"initial_measurement\": [\""
                + Appraiser.discover().appraise(Evidence.of(Bytes.of(token), aux), AppraisalContext.of(Policy.parse(
                        "{\"id\": \"probe\", \"tees\": [\"cca\"], \"allow_debug\": true}".getBytes(StandardCharsets.UTF_8)), Instant.now()))
                        .claims().orElseThrow().initialMeasurement().orElseThrow().hex() + "\"]}" + extra + "}").getBytes(StandardCharsets.UTF_8));
        return Appraiser.discover().appraise(Evidence.of(Bytes.of(token), aux), AppraisalContext.of(p, Instant.now()));
    }

    /** The token with its platform claims' lifecycle changed and the platform token signed again by the CPAK (the emulator's key). */
    private static byte[] withLifecycle(byte[] token, int lifecycle, Path cpakKey) {
        var t = dev.guestattest.cca.abi.CcaToken.parse(token);
        byte[] claims = CoseSign1.parse("platform token", t.platformToken().toArray()).payload().toArray();
        int at = indexOf(claims, SECURED);
        claims[at + 4] = (byte) (lifecycle >> 8);
        claims[at + 5] = (byte) lifecycle;
        byte[] platform = CoseSign1.sign(claims, PemFiles.readPrivateKey(cpakKey), CoseSign1.ES384);
        return Cbor.encode(g -> {
            g.writeTag(399);
            g.writeStartObject();
            g.writeFieldId(44234);
            g.writeBinary(platform);
            g.writeFieldId(44241);
            g.writeBinary(t.realmToken().toArray());
            g.writeEndObject();
        });
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("the platform claims do not encode lifecycle 0x3000 as expected");
    }
}
