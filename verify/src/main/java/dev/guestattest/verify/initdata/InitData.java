// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.initdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * A guest's init-data as a Confidential Containers attestation agent sends it ({@code {"format":
 * "toml", "body"}}) and Trustee reads it (trustee 78962cd4 {@code attestation-service/src/lib.rs}
 * {@code Initdata}, {@code kbs/src/attestation/coco/builtin.rs}): a TOML document with {@code version},
 * {@code algorithm} ({@code sha256}, {@code sha384} or {@code sha512}) and a {@code data} table of
 * strings. Its digest is that algorithm over the body's bytes exactly as sent; the TEE's evidence
 * must carry it ({@link dev.guestattest.core.verify.InitDataField}). The claims a policy sees are the
 * {@code data} table, with {@code aa.toml} and {@code cdh.toml} read as TOML where they are TOML, and
 * a {@code policy.rego}'s {@code policy_data} object as {@code agent_policy_claims}, as Trustee has them.
 */
public record InitData(String body, HashAlgorithm algorithm, Bytes digest, String version, JsonNode claims) {
    /** Larger than any pod's init-data annotation (Kubernetes caps annotations at 256 KiB in all). */
    public static final int MAX_SIZE = 256 << 10;
    private static final TomlMapper TOML = new TomlMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELD = "init-data";

    public InitData {
        claims = claims.deepCopy();
    }

    @Override
    public JsonNode claims() {
        return claims.deepCopy();
    }

    /** Reads init-data of {@code format} (only {@code toml}, as Trustee); every refusal names the field. */
    public static InitData parse(String format, String body) {
        if (!format.equals("toml")) {
            throw AttestationException.invalid(FIELD + ".format", "'" + format + "' is not 'toml' (the only format Trustee and this broker read)");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_SIZE) {
            throw AttestationException.tooLarge(FIELD + ".body", bytes.length, MAX_SIZE);
        }
        JsonNode doc;
        try {
            doc = TOML.readTree(body);
        } catch (IOException e) {
            throw AttestationException.invalid(FIELD + ".body", "not TOML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (doc == null || !doc.path("version").isTextual()) {
            throw AttestationException.invalid(FIELD + ".body: version", "is required, as text (e.g. \"0.1.0\")");
        }
        HashAlgorithm algorithm = switch (doc.path("algorithm").asText("").toLowerCase(Locale.ROOT)) {
            case "sha256" -> HashAlgorithm.SHA256;
            case "sha384" -> HashAlgorithm.SHA384;
            case "sha512" -> HashAlgorithm.SHA512;
            default -> throw AttestationException.invalid(FIELD + ".body: algorithm", "'" + doc.path("algorithm").asText("")
                    + "' is not sha256, sha384 or sha512");
        };
        JsonNode data = doc.path("data");
        if (!data.isObject()) {
            throw AttestationException.invalid(FIELD + ".body: data", "is required, as a table of strings");
        }
        ObjectNode claims = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw AttestationException.invalid(FIELD + ".body: data." + e.getKey(), "must be a string, as Trustee reads it");
            }
            claim(claims, e.getKey(), e.getValue().asText());
        }
        return new InitData(body, algorithm, Bytes.of(algorithm.hash(bytes)), doc.get("version").asText(), claims);
    }

    /** One {@code data} entry as Trustee's claims have it. */
    private static void claim(ObjectNode claims, String name, String value) {
        if (name.equals("aa.toml") || name.equals("cdh.toml")) {
            try {
                claims.set(name, TOML.readTree(value));
                return;
            } catch (IOException e) {
                // not TOML: kept as the text it is, as Trustee does
            }
        }
        if (name.equals("policy.rego")) {
            int at = value.indexOf("policy_data := {");
            if (at >= 0) {
                try {
                    claims.set("agent_policy_claims", JSON.readTree(value.substring(value.indexOf('{', at))));
                    return;
                } catch (IOException e) {
                    // no JSON object there: kept as text
                }
            }
        }
        claims.put(name, value);
    }

    @Override
    public String toString() {
        return "InitData[" + algorithm.label() + " " + digest.hex() + ", data " + claims.size() + " entries]";
    }
}
