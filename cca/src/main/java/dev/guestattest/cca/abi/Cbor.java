package dev.guestattest.cca.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** CBOR through Jackson's CBOR data format, plus the one encoding COSE needs by hand: definite-length headers. */
final class Cbor {
    static final CBORFactory FACTORY = new CBORFactory();
    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Cbor() {
    }

    static JsonNode tree(String what, byte[] data) {
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

    static Bytes bytes(String what, JsonNode n) {
        if (n == null || !n.isBinary()) {
            throw AttestationException.invalid(what, n == null ? "missing" : "must be a byte string");
        }
        try {
            return Bytes.of(n.binaryValue());
        } catch (IOException e) {
            throw AttestationException.invalid(what, "unreadable byte string");
        }
    }

    /** A major type and length header (RFC 8949 §3). */
    static void header(ByteArrayOutputStream out, int major, long length) {
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

    static void bstr(ByteArrayOutputStream out, byte[] b) {
        header(out, 2, b.length);
        out.writeBytes(b);
    }
}
