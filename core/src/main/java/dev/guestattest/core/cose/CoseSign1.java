// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.cose;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.crypto.EcdsaKey;
import dev.guestattest.core.crypto.Signatures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A COSE_Sign1 (RFC 9052; tag 18): protected header bytes, payload bytes and the raw r||s signature,
 * kept exactly as received, so that the bytes that were signed can be rebuilt:
 * {@code ["Signature1", protected, h'', payload]}.
 */
public record CoseSign1(Bytes protectedHeader, Bytes payload, Bytes signature, int alg) {
    public static final int ES256 = -7;
    public static final int ES384 = -35;
    public static final int EDDSA = -8;

    /** The JDK signature for a COSE algorithm, or null for one this does not do. */
    private static String jdk(int alg) {
        return switch (alg) {
            case ES256 -> "SHA256withECDSAinP1363Format";
            case ES384 -> "SHA384withECDSAinP1363Format";
            case EDDSA -> "Ed25519";
            default -> null;
        };
    }

    public static CoseSign1 parse(String what, byte[] data) {
        try (JsonParser p = Cbor.FACTORY.createParser(data)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY || ((CBORParser) p).getCurrentTag() != 18) {
                throw AttestationException.invalid(what, "is not a tagged COSE_Sign1 (tag 18, array of 4)");
            }
        } catch (IOException e) {
            throw AttestationException.invalid(what, "not CBOR: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode a = Cbor.tree(what, data);
        if (!a.isArray() || a.size() != 4) {
            throw AttestationException.invalid(what, "a COSE_Sign1 is an array of 4");
        }
        Bytes prot = Cbor.bytes(what + " protected header", a.get(0));
        Bytes payload = Cbor.bytes(what + " payload", a.get(2));
        Bytes sig = Cbor.bytes(what + " signature", a.get(3));
        JsonNode headers = prot.length() == 0 ? null : Cbor.tree(what + " protected header", prot.toArray());
        JsonNode alg = headers == null ? null : headers.get("1");
        if (alg == null || !alg.isInt()) {
            throw AttestationException.invalid(what, "the protected header names no algorithm (label 1)");
        }
        return new CoseSign1(prot, payload, sig, alg.asInt());
    }

    /**
     * Signs {@code payload} with ECDSA ({@link #ES256} on P-256, {@link #ES384} on P-384) or {@link #EDDSA} (Ed25519): a tagged
     * COSE_Sign1 whose protected header names the algorithm, with an empty unprotected header.
     */
    public static byte[] sign(byte[] payload, java.security.PrivateKey key, int alg) {
        String jdk = jdk(alg);
        if (jdk == null) {
            throw AttestationException.invalid("COSE algorithm", alg + " is not ES256 (-7), ES384 (-35) or EdDSA (-8)");
        }
        byte[] prot = Cbor.encode(g -> {
            g.writeStartObject();
            g.writeFieldId(1);
            g.writeNumber(alg);
            g.writeEndObject();
        });
        byte[] sig;
        try {
            java.security.Signature s = java.security.Signature.getInstance(jdk);
            s.initSign(key);
            s.update(new CoseSign1(Bytes.of(prot), Bytes.of(payload), Bytes.EMPTY, alg).toBeSigned());
            sig = s.sign();
        } catch (java.security.GeneralSecurityException e) {
            throw AttestationException.invalid("COSE signing key", "cannot sign with COSE algorithm " + alg + ": " + e.getMessage());
        }
        return Cbor.encode(g -> {
            g.writeTag(18);
            g.writeStartArray(null, 4);
            g.writeBinary(prot);
            g.writeStartObject(null, 0);
            g.writeEndObject();
            g.writeBinary(payload);
            g.writeBinary(sig);
            g.writeEndArray();
        });
    }

    /** Whether the signature verifies with {@code key}: ES256 and ES384 through {@link EcdsaKey}, EdDSA as Ed25519. */
    public boolean verifies(java.security.PublicKey key) {
        try {
            return switch (alg) {
                case ES256 -> EcdsaKey.of(EcdsaKey.Curve.P256, "COSE key", key).verify(toBeSigned(), signature.toArray());
                case ES384 -> EcdsaKey.of(EcdsaKey.Curve.P384, "COSE key", key).verify(toBeSigned(), signature.toArray());
                case EDDSA -> Signatures.ed25519(key, toBeSigned(), signature.toArray());
                default -> false;
            };
        } catch (dev.guestattest.core.AttestationException wrongKey) {
            return false;
        }
    }

    /** The Sig_structure bytes that were signed. */
    public byte[] toBeSigned() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cbor.header(out, 4, 4);
        byte[] context = "Signature1".getBytes(StandardCharsets.US_ASCII);
        Cbor.header(out, 3, context.length);
        out.writeBytes(context);
        Cbor.bstr(out, protectedHeader.toArray());
        Cbor.bstr(out, new byte[0]);
        Cbor.bstr(out, payload.toArray());
        return out.toByteArray();
    }
}
