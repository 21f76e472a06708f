// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Optional;

/**
 * A resource JWE's protected header, byte for byte as kbs-types' {@code ProtectedHeader} serializes
 * it: {@code alg}, {@code enc}, then the other members in key order, the {@code epk} with {@code crv,
 * kty, x, y}. A guest-components guest does not authenticate the {@code protected} string it
 * receives: it parses it and uses its own re-serialization as the AES-GCM AAD
 * ({@code ProtectedHeader::generate_aad}, kbs-types 0.12 {@code src/lib.rs}). Any other member order
 * (nimbus writes {@code epk} first) makes every release fail on the guest with a GCM tag mismatch;
 * this order is a fixed point of that re-serialization, with serde_json's {@code preserve_order}
 * or without.
 */
public final class ProtectedHeader {
    private ProtectedHeader() {
    }

    /** The header's JSON text. */
    public static String json(JWEAlgorithm alg, EncryptionMethod enc, Optional<ECKey> epk) {
        ObjectNode n = Wire.object().put("alg", alg.getName()).put("enc", enc.getName());
        epk.ifPresent(k -> n.putObject("epk").put("crv", k.getCurve().getName()).put("kty", "EC").put("x", k.getX().toString())
                .put("y", k.getY().toString()));
        return n.toString();
    }

    /**
     * The header as nimbus carries it, remembering these exact bytes: nimbus computes the AAD and
     * writes the {@code protected} part from the bytes a header was parsed from.
     */
    public static JWEHeader of(JWEAlgorithm alg, EncryptionMethod enc, Optional<ECKey> epk) {
        try {
            return JWEHeader.parse(Base64URL.encode(json(alg, enc, epk).getBytes(StandardCharsets.UTF_8)));
        } catch (ParseException e) {
            throw new IllegalStateException("a header built from a JWE algorithm and a public EC key always parses", e);
        }
    }
}
