// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.cose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** CBOR through Jackson's CBOR data format, plus the one encoding COSE needs by hand: definite-length headers. */
public final class Cbor {
    public static final CBORFactory FACTORY = new CBORFactory();
    /** Fails on bytes after the first item: evidence carries nothing that was not read. */
    public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Cbor() {
    }

    public static JsonNode tree(String what, byte[] data) {
        try {
            JsonNode n = MAPPER.readTree(data);
            if (n == null) {
                throw AttestationException.invalid(what, "is empty");
            }
            return n;
        } catch (IOException e) {
            throw AttestationException.invalid(what, "not CBOR: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static Bytes bytes(String what, JsonNode n) {
        if (n == null || !n.isBinary()) {
            throw AttestationException.invalid(what, n == null ? "missing" : "must be a byte string");
        }
        try {
            return Bytes.of(n.binaryValue());
        } catch (IOException e) {
            throw AttestationException.invalid(what, "unreadable byte string");
        }
    }

    /** Writes CBOR through a generator (integer map keys with {@code writeFieldId}). */
    public interface Writer {
        void write(com.fasterxml.jackson.dataformat.cbor.CBORGenerator g) throws IOException;
    }

    public static byte[] encode(Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (com.fasterxml.jackson.dataformat.cbor.CBORGenerator g = FACTORY.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new IllegalStateException("CBOR encoding into memory failed", e);
        }
        return out.toByteArray();
    }

    /** A major type and length header (RFC 8949 §3). */
    public static void header(ByteArrayOutputStream out, int major, long length) {
        int m = major << 5;
        if (length < 24) {
            out.write(m | (int) length);
        } else if (length < 0x100) {
            out.write(m | 24);
            out.write((int) length);
        } else if (length < 0x10000) {
            out.write(m | 25);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(m | 26);
            for (int s = 24; s >= 0; s -= 8) {
                out.write((int) (length >>> s));
            }
        }
    }

    public static void bstr(ByteArrayOutputStream out, byte[] b) {
        header(out, 2, b.length);
        out.writeBytes(b);
    }
}
