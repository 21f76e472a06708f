// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.abi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.cose.Cbor;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.InitDataField;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The realm token's claims (formats.md §3.3). */
public record RealmClaims(Optional<String> profile, Bytes challenge, Bytes personalizationValue, String hashAlgorithm, Bytes rak,
                          Bytes rim, List<Bytes> rems, String rakHashAlgorithm) {
    public static RealmClaims parse(Bytes payload) {
        JsonNode c = Cbor.tree("realm claims", payload.toArray());
        List<Bytes> rems = new ArrayList<>();
        JsonNode r = c.get("44239");
        if (r == null || !r.isArray() || r.size() != 4) {
            throw AttestationException.invalid("realm claims REMs (44239)", "must be an array of 4 byte strings");
        }
        r.forEach(x -> rems.add(Cbor.bytes("REM", x)));
        Bytes challenge = Cbor.bytes("realm challenge (10)", c.get("10")).checkLength("realm challenge (10)", 64);
        return new RealmClaims(Optional.ofNullable(c.get("265")).map(JsonNode::asText), challenge,
                Cbor.bytes("personalization value (44235)", c.get("44235")), text(c, "44236", "realm hash algorithm"),
                Cbor.bytes("realm public key (44237)", c.get("44237")), Cbor.bytes("RIM (44238)", c.get("44238")), rems,
                text(c, "44240", "realm public key hash algorithm"));
    }

    /** The realm token has no debug claim (the platform's security lifecycle is the nearest thing). */
    public CommonClaims common() {
        return new CommonClaims("cca", Optional.of(rim), CommonClaims.registers("rem", rems), Optional.empty(), challenge)
                .withInitDataField(new InitDataField("personalization_value", personalizationValue, InitDataField.Binding.EXACT));
    }

    private static String text(JsonNode c, String key, String what) {
        JsonNode n = c.get(key);
        if (n == null || !n.isTextual()) {
            throw AttestationException.invalid(what + " (" + key + ")", "must be text");
        }
        return n.asText();
    }
}
