// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.freshness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Binding a key to evidence the way Trustee's KBS protocol does (peers.md §1.2): the runtime data is
 * {@code {"nonce": <the KBS nonce>, "tee-pubkey": <the TEE's public JWK>}}, serialized as compact
 * JSON with every object's keys sorted (what the guest's serde_json writes), hashed with the
 * algorithm the broker selected (sha256, sha384 or sha512), and zero-padded to the 64 bytes of
 * report data. A caller binds a TLS or wrapping key this way; the broker recomputes it.
 */
public final class RuntimeData {
    public static final int REPORT_DATA_SIZE = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RuntimeData() {
    }

    /** The hash names the protocol's {@code selected-hash-algorithm} uses. */
    public enum Hash {
        SHA256(HashAlgorithm.SHA256), SHA384(HashAlgorithm.SHA384), SHA512(HashAlgorithm.SHA512);

        private final HashAlgorithm algorithm;

        Hash(HashAlgorithm algorithm) {
            this.algorithm = algorithm;
        }

        public static Hash named(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "sha256" -> SHA256;
                case "sha384" -> SHA384;
                case "sha512" -> SHA512;
                default -> throw AttestationException.invalid("hash algorithm", "'" + name + "' is not sha256, sha384 or sha512");
            };
        }

        byte[] digest(byte[] data) {
            return algorithm.hash(data);
        }
    }

    /** The canonical runtime data: compact JSON, keys sorted at every level. */
    public static byte[] canonical(String nonce, JsonNode teePubkey) {
        if (teePubkey == null || !teePubkey.isObject() || !teePubkey.has("kty")) {
            throw AttestationException.invalid("tee-pubkey", "must be a JWK object with a kty");
        }
        ObjectNode runtime = JSON.createObjectNode();
        runtime.put("nonce", nonce);
        runtime.set("tee-pubkey", teePubkey);
        try {
            return JSON.writeValueAsBytes(sorted(runtime));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    public static Bytes reportData(String nonce, JsonNode teePubkey, Hash hash) {
        return Bytes.of(Arrays.copyOf(hash.digest(canonical(nonce, teePubkey)), REPORT_DATA_SIZE));
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                fields.put(k, sorted(n.get(k)));
            }
            ObjectNode out = JSON.createObjectNode();
            fields.forEach(out::set);
            return out;
        }
        if (n.isArray()) {
            var out = JSON.createArrayNode();
            n.forEach(x -> out.add(sorted(x)));
            return out;
        }
        return n;
    }
}
