// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.abi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.cose.Cbor;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;

/**
 * The CCA attestation token (formats.md §3.1): tag 399 around {44234: platform token, 44241: realm
 * token}, or the CMW collection (tag 907) where each value is [content type, token].
 */
public record CcaToken(Bytes platformToken, Bytes realmToken) {
    public static final int TAG = 399;
    public static final int CMW_TAG = 907;
    public static final int MAX_SIZE = 64 * 1024;

    public static CcaToken parse(byte[] data) {
        if (data.length > MAX_SIZE) {
            throw AttestationException.tooLarge("CCA token", data.length, MAX_SIZE);
        }
        int tag;
        try (JsonParser p = Cbor.FACTORY.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw AttestationException.invalid("CCA token", "is not a CBOR map");
            }
            tag = ((CBORParser) p).getCurrentTag();
        } catch (IOException e) {
            throw AttestationException.invalid("CCA token", "not CBOR: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (tag != TAG && tag != CMW_TAG) {
            throw AttestationException.invalid("CCA token", "tag " + tag + " is neither 399 nor 907");
        }
        JsonNode map = Cbor.tree("CCA token", data);
        return new CcaToken(entry(map.get("44234"), "platform token (44234)"), entry(map.get("44241"), "realm token (44241)"));
    }

    private static Bytes entry(JsonNode n, String what) {
        if (n != null && n.isArray() && n.size() == 2) {
            return Cbor.bytes(what, n.get(1)); // CMW: [content type, token]
        }
        return Cbor.bytes(what, n);
    }
}
