// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CEL in its JSON encoding: an array of {@code {recnum, pcr | nv_index | ccmr, digests: [{hashAlg, digest}],
 * content_type, content: {type, data}}}; the content is kept as hex so that any content type round-trips.
 */
public final class CelJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CelJson() {
    }

    public static String write(List<Event> events) {
        ArrayNode a = JSON.createArrayNode();
        for (Event e : events) {
            ObjectNode n = a.addObject();
            n.put("recnum", e.recnum());
            n.put(switch (e.indexKind()) {
                case PCR -> "pcr";
                case NV -> "nv_index";
                case CC_MR -> "ccmr";
            }, e.index());
            ArrayNode ds = n.putArray("digests");
            e.digests().forEach(d -> ds.addObject().put("hashAlg", d.algorithm().label()).put("digest", d.value().hex()));
            n.put("content_type", e.type());
            n.putObject("content").put("data", e.data().hex());
        }
        return a.toPrettyString();
    }

    public static List<Event> read(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw AttestationException.invalid("CEL JSON", "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isArray()) {
            throw AttestationException.invalid("CEL JSON", "must be an array of records");
        }
        List<Event> out = new ArrayList<>();
        for (JsonNode n : root) {
            Event.IndexKind kind = n.has("pcr") ? Event.IndexKind.PCR : n.has("ccmr") ? Event.IndexKind.CC_MR
                    : n.has("nv_index") ? Event.IndexKind.NV : null;
            if (kind == null || !n.path("recnum").isIntegralNumber() || !n.path("digests").isArray()) {
                throw AttestationException.invalid("CEL JSON record " + out.size(), "needs recnum, one of pcr/ccmr/nv_index, digests");
            }
            int index = n.path(kind == Event.IndexKind.PCR ? "pcr" : kind == Event.IndexKind.CC_MR ? "ccmr" : "nv_index").asInt();
            List<Event.Digest> ds = new ArrayList<>();
            for (JsonNode d : n.path("digests")) {
                HashAlgorithm alg = HashAlgorithm.byLabel(d.path("hashAlg").asText());
                ds.add(new Event.Digest(alg, Bytes.fromHex("CEL JSON digest", d.path("digest").asText()).checkLength("CEL JSON digest", alg.size())));
            }
            out.add(new Event(n.path("recnum").asLong(), kind, index, n.path("content_type").asLong(), ds,
                    Bytes.fromHex("CEL JSON content", n.path("content").path("data").asText(""))));
        }
        return out;
    }
}
