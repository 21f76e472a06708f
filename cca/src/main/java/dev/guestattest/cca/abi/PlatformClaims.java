// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.abi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.cose.Cbor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The platform token's claims this verifier uses (formats.md §3.4). */
public record PlatformClaims(Optional<String> profile, Bytes challenge, Bytes implementationId, Bytes instanceId, int lifecycle,
                             Bytes config, List<SoftwareComponent> softwareComponents) {
    public PlatformClaims {
        softwareComponents = List.copyOf(softwareComponents);
    }

    /** Security lifecycle 0x3000-0x30FF: the platform is in its secured state (no debug, RoT provisioned). */
    public boolean secured() {
        return lifecycle >= 0x3000 && lifecycle <= 0x30ff;
    }

    /** One measured platform software component. */
    public record SoftwareComponent(String type, Bytes measurement, Optional<String> version, Bytes signerId) {
    }

    public static PlatformClaims parse(Bytes payload) {
        JsonNode c = Cbor.tree("platform claims", payload.toArray());
        List<SoftwareComponent> sw = new ArrayList<>();
        JsonNode comps = c.get("2399");
        if (comps != null) {
            for (JsonNode s : comps) {
                sw.add(new SoftwareComponent(s.path("1").asText(""), Cbor.bytes("software component measurement", s.get("2")),
                        Optional.ofNullable(s.get("4")).map(JsonNode::asText), s.has("5") ? Cbor.bytes("signer id", s.get("5")) : Bytes.EMPTY));
            }
        }
        return new PlatformClaims(Optional.ofNullable(c.get("265")).map(JsonNode::asText), Cbor.bytes("platform challenge (10)", c.get("10")),
                Cbor.bytes("implementation id (2396)", c.get("2396")), Cbor.bytes("instance id (256)", c.get("256")),
                lifecycle(c.get("2395")), c.has("2401") ? Cbor.bytes("platform config (2401)", c.get("2401")) : Bytes.EMPTY, sw);
    }

    /** The security lifecycle (2395) is a uint16; text, a float or a wider number is malformed, not coerced. */
    private static int lifecycle(JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0 || n.asInt() > 0xffff) {
            throw dev.guestattest.core.AttestationException.invalid("security lifecycle (2395)", n == null ? "missing"
                    : "must be an unsigned integer up to 0xffff");
        }
        return n.asInt();
    }
}
