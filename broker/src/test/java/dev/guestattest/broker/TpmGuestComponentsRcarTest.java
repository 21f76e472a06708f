// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.conformance.GuestComponentsGuest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import dev.guestattest.tpm.testing.Swtpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest-components guest on a TPM attests over RCAR: tee {@code tpm}, evidence
 * {@code {"tpm_quote": {"signature": base64 TPMT_SIGNATURE, "message": base64 TPMS_ATTEST, "pcrs":
 * [24 lowercase hex]}, "ak_public": base64 DER SubjectPublicKeyInfo}}, made as its attester makes it
 * (guest-components 8246e5e0 attestation-agent/attester/src/tpm/mod.rs, tpm/utils.rs {@code get_quote}:
 * an RSA restricted AK quotes all 24 SHA-256 PCRs with the runtime digest resized to 32 bytes as
 * qualifying data) by a real TPM (swtpm; skipped when it is not installed). The guest's
 * {@code ak_public} is never the anchor: the broker trusts the quote only under the AK its own
 * configuration pins ({@code withTrustedAux("tpm", "ak", ...)}, as {@link TpmRcarTest} configures it),
 * where Trustee checks the quote with whatever key the guest sends (trustee 78962cd4
 * deps/verifier/src/tpm/mod.rs) and leaves the key to policy.
 */
class TpmGuestComponentsRcarTest {
    private static final PcrSelection ALL = new PcrSelection(Tpm2.ALG_SHA256, new TreeSet<>(IntStream.range(0, 24).boxed().toList()));
    private static final String POLICY = "{\"id\": \"tpm\", \"tees\": [\"tpm\"], \"allow_debug\": true}";

    @TempDir
    Path tmp;

    /** guest-components' TPM attester: {@code report_data.resize(32, 0)}, TPM2_Quote over all SHA-256 PCRs, the PCRs read, the AK's SPKI. */
    private static Function<byte[], JsonNode> attester(Tpm tpm, Tpm.Key ak) {
        return digest -> {
            Bytes qualifying = Bytes.of(Arrays.copyOf(digest, 32));
            Tpm.Quoted q = tpm.quote(ak.handle(), qualifying, ALL);
            Map<Integer, Bytes> values = tpm.pcrRead(ALL);
            ObjectNode n = GuestComponentsGuest.JSON.createObjectNode();
            ObjectNode quote = n.putObject("tpm_quote");
            quote.put("signature", Base64.getEncoder().encodeToString(q.signature().encode()));
            quote.put("message", Base64.getEncoder().encodeToString(q.attest().toArray()));
            ArrayNode pcrs = quote.putArray("pcrs");
            values.values().forEach(v -> pcrs.add(v.hex()));
            n.put("ak_public", Base64.getEncoder().encodeToString(ak.publicArea().key().getEncoded()));
            return n;
        };
    }

    private BrokerFixture broker(String store, UnaryOperator<BrokerConfig> pin) {
        BrokerFixture f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, store, pin);
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", POLICY).status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"tpm/*/*\", \"tees\": [\"tpm\"],"
                + " \"status\": \"warning\"}]}").status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource/tpm/disk/key", "sealed for the TPM guest").status()).isEqualTo(200);
        return f;
    }

    private static GuestComponentsGuest.Reply attest(BrokerFixture f, Function<byte[], JsonNode> attester) throws Exception {
        GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tpm");
        assertThat(g.auth().status()).isEqualTo(200);
        return g.attest(attester, Optional.empty(), "");
    }

    @Test
    void aTpmGuestAttestsUnderThePinnedAkAndIsRefusedWithoutIt() throws Exception {
        try (Swtpm swtpm = Swtpm.start(tmp.resolve("swtpm"));
             Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", swtpm.port(), Duration.ofSeconds(5)))) {
            Tpm.Key ak = tpm.createPrimary(Tpm2.RH_OWNER, TpmPublic.rsaAttestationKeyTemplate());
            try {
                Function<byte[], JsonNode> attester = attester(tpm, ak);
                // the operator pins the AK's TPMT_PUBLIC from the TPM's enrolment: its attributes (restricted) count, not just its key
                Bytes area = ak.publicArea().encoded();
                try (BrokerFixture f = broker("pinned", c -> c.withTrustedAux("tpm", "ak", area))) {
                    GuestComponentsGuest g = new GuestComponentsGuest(f.uri, "tpm");
                    assertThat(g.auth().status()).isEqualTo(200);
                    GuestComponentsGuest.Reply r = g.attest(attester, Optional.empty(), "");
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    JsonNode annotated = GuestComponentsGuest.claims(r.json().get("token").asText()).at("/submods/cpu0/ear.veraison.annotated-evidence");
                    // the quote's qualifying data: the SHA-384 runtime digest cut to 32 bytes, as the attester and Trustee resize it
                    assertThat(annotated.get("report_data").asText()).isEqualTo(Bytes.of(Arrays.copyOf(g.runtimeDigest(""), 32)).hex());
                    assertThat(GuestComponentsGuest.claims(r.json().get("token").asText()).at("/submods/cpu0/ear.guestattest.tee").asText())
                            .isEqualTo("tpm");
                    GuestComponentsGuest.Reply secret = g.resource("tpm/disk/key", Optional.empty());
                    assertThat(secret.status()).as(secret.body()).isEqualTo(200);
                    assertThat(new String(g.open(secret.body()), StandardCharsets.UTF_8)).isEqualTo("sealed for the TPM guest");

                    // an attack: the same TPM's genuine quote, made for a request the guest saw earlier
                    GuestComponentsGuest earlier = new GuestComponentsGuest(f.uri, "tpm");
                    assertThat(earlier.auth().status()).isEqualTo(200);
                    byte[] stale = earlier.runtimeDigest("");
                    GuestComponentsGuest.Reply replay = attest(f, digest -> attester.apply(stale));
                    assertThat(replay.status()).isEqualTo(401);
                    assertThat(replay.body()).contains("policy.report_data");
                }
                // Trustee's way, the AK pinned as a bare public key, verifies too
                try (BrokerFixture f = broker("spki", c -> c.withTrustedAux("tpm", "ak", Bytes.of(ak.publicArea().key().getEncoded())))) {
                    GuestComponentsGuest.Reply r = attest(f, attester);
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                }
                // the attack: no pin. The quote is genuine and signed by the key the guest names, but nothing vouches for that key
                try (BrokerFixture f = broker("unpinned", c -> c)) {
                    GuestComponentsGuest.Reply r = attest(f, attester);
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.body()).contains("ak.pinned");
                }
                // the attack: another TPM's AK pinned (the key of the endorsement hierarchy's primary, also a restricted RSA signer)
                Tpm.Key otherAk = tpm.createPrimary(Tpm2.RH_ENDORSEMENT, TpmPublic.rsaAttestationKeyTemplate());
                try (BrokerFixture f = broker("other", c -> c.withTrustedAux("tpm", "ak", otherAk.publicArea().encoded()))) {
                    GuestComponentsGuest.Reply r = attest(f, attester);
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.body()).contains("ak.pinned");
                } finally {
                    tpm.flush(otherAk.handle());
                }
            } finally {
                tpm.flush(ak.handle());
            }
        }
    }
}
