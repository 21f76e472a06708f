// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.verify;

import dev.guestattest.core.pki.Pem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A trusted CCA platform attestation key, optionally tied to the platform's instance and
 * implementation IDs, as veraison's trust-anchor JSON has them (an array of {pkey JWK,
 * instance-id, implementation-id}), or a bare JWK.
 */
public record Cpak(PublicKey key, Optional<Bytes> instanceId, Optional<Bytes> implementationId) {
    /** A PEM public key (SubjectPublicKeyInfo, P-256 or P-384), a JWK, or veraison trust-anchor JSON. */
    public static List<Cpak> parse(byte[] data) {
        String text = new String(data, java.nio.charset.StandardCharsets.US_ASCII).strip();
        if (!text.startsWith("-----BEGIN PUBLIC KEY-----")) {
            return fromJson(data);
        }
        List<Cpak> out = new java.util.ArrayList<>();
        for (PublicKey k : dev.guestattest.core.pki.Pem.publicKeys("CPAK", data)) {
            int bits = ((java.security.interfaces.ECPublicKey) k).getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384) {
                throw AttestationException.invalid("CPAK", "a P-" + bits + " key; a CPAK is P-256 or P-384");
            }
            out.add(new Cpak(k, Optional.empty(), Optional.empty()));
        }
        return out;
    }

    public static List<Cpak> fromJson(byte[] json) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw AttestationException.invalid("CPAK", "not JSON");
        }
        List<Cpak> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            for (JsonNode ta : n) {
                out.add(new Cpak(jwk(ta.path("pkey")), hex(ta, "instance-id"), hex(ta, "implementation-id")));
            }
        } else if (n != null && n.has("kty")) {
            out.add(new Cpak(jwk(n), Optional.empty(), Optional.empty()));
        }
        if (out.isEmpty()) {
            throw AttestationException.invalid("CPAK", "neither a JWK nor an array of trust anchors");
        }
        return out;
    }

    private static Optional<Bytes> hex(JsonNode n, String field) {
        return n.has(field) ? Optional.of(Bytes.fromHex("CPAK " + field, n.path(field).asText())) : Optional.empty();
    }

    /** An EC JWK (P-256 or P-384). */
    static PublicKey jwk(JsonNode k) {
        String crv = k.path("crv").asText();
        String curve = switch (crv) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            default -> throw AttestationException.invalid("CPAK", "curve '" + crv + "' is not P-256 or P-384");
        };
        try {
            return ec(curve, Base64.getUrlDecoder().decode(k.path("x").asText()), Base64.getUrlDecoder().decode(k.path("y").asText()));
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("CPAK", "x or y is not base64url");
        }
    }

    /**
     * A public key from its affine coordinates, each exactly the field's length (RFC 7518, COSE),
     * and only if the point is on the curve: the JDK accepts any pair, and a bad one fails later, untyped.
     */
    static PublicKey ec(String curve, byte[] x, byte[] y) {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(curve));
            ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
            int size = (spec.getCurve().getField().getFieldSize() + 7) / 8;
            if (x.length != size || y.length != size) {
                throw AttestationException.invalid("EC key", "coordinates of " + x.length + " and " + y.length + " bytes; " + curve
                        + " takes " + size + " each");
            }
            ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
            if (!onCurve(point, spec)) {
                throw AttestationException.invalid("EC key", "the point is not on " + curve);
            }
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("EC key", "not a point on " + curve + ": " + e.getMessage());
        }
    }

    private static boolean onCurve(ECPoint q, ECParameterSpec spec) {
        BigInteger prime = ((java.security.spec.ECFieldFp) spec.getCurve().getField()).getP();
        BigInteger x = q.getAffineX();
        BigInteger y = q.getAffineY();
        if (x.compareTo(prime) >= 0 || y.compareTo(prime) >= 0) {
            return false;
        }
        BigInteger rhs = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(prime);
        return y.pow(2).mod(prime).equals(rhs);
    }
}
