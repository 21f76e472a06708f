// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.freshness.RuntimeData;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The RCAR messages: each reads what it writes, accepts the shapes the broker always accepted, and refuses the rest by field. */
class WireTest {
    private static JsonNode json(String s) {
        return Wire.object(s.getBytes(StandardCharsets.UTF_8), "test message");
    }

    @Test
    void eachMessageReadsWhatItWrites() {
        Request r = Request.of("tdx");
        assertThat(Request.fromJson(r.toJson())).isEqualTo(r);
        assertThat(r.toJson().toString()).isEqualTo("{\"version\":\"" + Protocol.VERSION + "\",\"tee\":\"tdx\",\"extra-params\":{}}");

        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(Challenge.HASH, "sha512");
        extra.put("arcb", "AAAA");
        Challenge c = new Challenge("n0nce", extra);
        assertThat(Challenge.fromJson(c.toJson())).isEqualTo(c);
        assertThat(c.toJson().toString()).startsWith("{\"nonce\":\"n0nce\",\"extra-params\":{\"selected-hash-algorithm\":\"sha512\"");
        assertThat(c.hash()).isEqualTo(RuntimeData.Hash.SHA512);
        assertThat(new Challenge("n", Map.of()).hash()).as("Trustee's default").isEqualTo(RuntimeData.Hash.SHA384);
        // what a Trustee KBS answers (trustee 78962cd4 kbs/src/attestation/mod.rs generate_extra_params): extra-params as "", so sha384
        assertThat(Challenge.fromJson(json("{\"nonce\": \"bm9uY2U=\", \"extra-params\": \"\"}")).hash()).isEqualTo(RuntimeData.Hash.SHA384);

        TeeEvidence ev = TeeEvidence.of(new Evidence(Optional.empty(), Bytes.of(new byte[] {1, 2}), Map.of("certs", Bytes.of(new byte[] {3}))));
        Attestation a = new Attestation(Optional.of(new Attestation.InitData("toml", "version = \"0.1.0\"")),
                new Attestation.Runtime("n0nce", json("{\"kty\": \"EC\"}")), new Attestation.CompositeEvidence(ev.toJson(), Optional.of("")));
        Attestation back = Attestation.fromJson(a.toJson());
        assertThat(back.runtimeData()).isEqualTo(a.runtimeData());
        assertThat(back.initData()).isEqualTo(a.initData());
        assertThat(back.teeEvidence().additional()).contains("");
        assertThat(back.teeEvidence().own().orElseThrow().evidence()).isEqualTo(ev.evidence());
        assertThat(back.teeEvidence().own().orElseThrow().aux()).isEqualTo(ev.aux());
        // kbs-types' member names, snake_case inside tee-evidence
        assertThat(a.toJson().fieldNames()).toIterable().containsExactly("init-data", "runtime-data", "tee-evidence");
        assertThat(a.toJson().get("tee-evidence").fieldNames()).toIterable().containsExactly("primary_evidence", "additional_evidence");

        assertThat(TokenResponse.fromJson(new TokenResponse("t.o.k").toJson()).token()).isEqualTo("t.o.k");
        assertThat(ErrorBody.fromJson(new ErrorBody("urn:x", "why").toJson())).isEqualTo(new ErrorBody("urn:x", "why"));
        // a refusal without checks keeps Trustee's two members; one with them carries their names beside the detail
        assertThat(new ErrorBody("urn:x", "why").toJson().toString()).isEqualTo("{\"type\":\"urn:x\",\"detail\":\"why\"}");
        ErrorBody checked = new ErrorBody("urn:x", "refused by quote.signature: why", java.util.List.of("quote.signature"));
        assertThat(checked.toJson().toString()).isEqualTo("{\"type\":\"urn:x\",\"detail\":\"refused by quote.signature: why\","
                + "\"checks\":[\"quote.signature\"]}");
        assertThat(ErrorBody.parse(checked.toJson().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))).contains(checked);
        assertThat(ErrorBody.parse("<html>proxy error</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
        String compact = "aGVhZGVy.a2V5.aXY.Y2lwaGVy.dGFn";
        assertThat(Jwe.compact(Jwe.flatten(compact))).isEqualTo(compact);
        assertThat(json(Jwe.flatten(compact)).fieldNames()).toIterable()
                .containsExactly("protected", "encrypted_key", "iv", "ciphertext", "tag");
    }

    @Test
    void theShapesTheBrokerAlwaysAcceptedAreStillAccepted() {
        // an auth request with no version, extra-params as a string (a guest sent that), and a member it does not know
        Request r = Request.fromJson(json("{\"tee\": \"se\", \"extra-params\": \"\", \"something\": 1}"));
        assertThat(r).isEqualTo(new Request("", "se", Map.of()));
        assertThat(Protocol.accepts(r.version())).isTrue();
        assertThat(Protocol.accepts("0.1.0")).isTrue();
        assertThat(Protocol.accepts("1.0.0")).isFalse();
        // tee-evidence without primary_evidence, and without aux
        TeeEvidence plain = Attestation.fromJson(json("{\"runtime-data\": {\"nonce\": \"n\"}, \"tee-evidence\": {\"evidence\": \"AQI=\"},"
                + " \"init-data\": null}")).teeEvidence().own().orElseThrow();
        assertThat(plain.evidence()).isEqualTo(Bytes.of(new byte[] {1, 2}));
        assertThat(plain.aux()).isEmpty();
        assertThat(Attestation.fromJson(json("{\"tee-evidence\": {\"evidence\": \"\"}}")).runtimeData().teePubkey().isMissingNode()).isTrue();
    }

    @Test
    void malformedMessagesAreRefusedByField() {
        assertThatThrownBy(() -> Wire.object("not json".getBytes(StandardCharsets.UTF_8), "auth request"))
                .isInstanceOf(WireException.class).hasMessageStartingWith("auth request is not JSON");
        assertThatThrownBy(() -> Wire.object("[1]".getBytes(StandardCharsets.UTF_8), "auth request")).hasMessage("auth request must be a JSON object");
        assertThatThrownBy(() -> Attestation.fromJson(json("{\"init-data\": {}, \"tee-evidence\": {\"evidence\": \"\"}}")))
                .hasMessageContaining("init-data must be null or {\"format\": text, \"body\": text}");
        assertThatThrownBy(() -> Attestation.fromJson(json("{\"tee-evidence\": {\"primary_evidence\": {}, \"additional_evidence\": {}}}")))
                .hasMessageContaining("additional_evidence must be JSON text");
        assertThatThrownBy(() -> TeeEvidence.fromObject(json("{\"evidence\": 5}")))
                .hasMessage("tee-evidence.evidence must be the evidence in base64");
        assertThatThrownBy(() -> Attestation.fromJson(json("{\"tee-evidence\": {\"evidence\": \"%%\"}}")).teeEvidence().own()).hasMessage("tee-evidence.evidence is not base64");
        assertThatThrownBy(() -> Attestation.fromJson(json("{\"tee-evidence\": {\"evidence\": \"\", \"aux\": []}}")).teeEvidence().own())
                .hasMessage("tee-evidence.aux must be an object of base64 parts");
        assertThatThrownBy(() -> Attestation.fromJson(json("{\"tee-evidence\": {\"evidence\": \"\", \"aux\": {\"certs\": \"%\"}}}")).teeEvidence().own())
                .hasMessage("tee-evidence.aux.certs is not base64");
        assertThatThrownBy(() -> Jwe.compact("{\"protected\": \"x\"}")).isInstanceOf(AttestationException.class).hasMessageContaining("JWE encrypted_key");
        assertThatThrownBy(() -> Jwe.flatten("a.b")).isInstanceOf(AttestationException.class).hasMessageContaining("5 parts");
    }
}
