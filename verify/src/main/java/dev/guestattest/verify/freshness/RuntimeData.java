// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.freshness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.util.Arrays;
import java.io.IOException;
import java.util.Locale;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * Binding a key to evidence the way Trustee's KBS protocol does (peers.md §1.2). A guest-components
 * guest (every release since v0.14.0) and Trustee hash the JCS form (RFC 8785) of
 * {@code {"additional-evidence": <the additional_evidence string, "" when none>, "nonce": <the KBS
 * nonce>, "tee-pubkey": <the TEE's public JWK>}} with the algorithm the broker selected, and zero-pad
 * it to the 64 bytes of report data (guest-components 8246e5e0 {@code kbs_protocol/src/client/rcar_client.rs}
 * {@code get_composite_evidence}; trustee 78962cd4 {@code kbs/src/attestation/backend.rs}). This
 * project's own older dialect binds {@code {"nonce", "tee-pubkey"}} alone ({@link #legacyReportData}).
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

        public byte[] digest(byte[] data) {
            return algorithm.hash(data);
        }
    }

    /** The runtime data a guest-components guest hashes, in JCS form. */
    public static byte[] canonical(String nonce, JsonNode teePubkey, String additionalEvidence) {
        ObjectNode runtime = JSON.createObjectNode();
        runtime.put("additional-evidence", additionalEvidence);
        runtime.put("nonce", nonce);
        runtime.set("tee-pubkey", jwk(teePubkey));
        return jcs(runtime);
    }

    /** The report data a guest-components guest binds: {@link #canonical} hashed and zero-padded to 64 bytes. */
    public static Bytes reportData(String nonce, JsonNode teePubkey, String additionalEvidence, Hash hash) {
        return Bytes.of(Arrays.copyOf(digest(nonce, teePubkey, additionalEvidence, hash).toArray(), REPORT_DATA_SIZE));
    }

    /** {@link #canonical} hashed: what each TEE's attester turns into its report data (TDX pads it to 64 bytes, a TPM cuts it to 32...). */
    public static Bytes digest(String nonce, JsonNode teePubkey, String additionalEvidence, Hash hash) {
        return Bytes.of(hash.digest(canonical(nonce, teePubkey, additionalEvidence)));
    }

    /** This project's older binding, {@code {"nonce", "tee-pubkey"}} in JCS form; what its own dialect's guests send. */
    public static Bytes legacyReportData(String nonce, JsonNode teePubkey, Hash hash) {
        ObjectNode runtime = JSON.createObjectNode();
        runtime.put("nonce", nonce);
        runtime.set("tee-pubkey", jwk(teePubkey));
        return Bytes.of(Arrays.copyOf(hash.digest(jcs(runtime)), REPORT_DATA_SIZE));
    }

    private static JsonNode jwk(JsonNode teePubkey) {
        if (teePubkey == null || !teePubkey.isObject() || !teePubkey.has("kty")) {
            throw AttestationException.invalid("tee-pubkey", "must be a JWK object with a kty");
        }
        return teePubkey;
    }

    /** RFC 8785 through the reference implementation: sorted keys, ES6 numbers, minimal string escapes. */
    private static byte[] jcs(JsonNode n) {
        try {
            return new JsonCanonicalizer(JSON.writeValueAsString(n)).getEncodedUTF8();
        } catch (IOException e) {
            throw AttestationException.invalid("runtime-data", "cannot be put in canonical JSON form: " + e.getMessage());
        }
    }
}
