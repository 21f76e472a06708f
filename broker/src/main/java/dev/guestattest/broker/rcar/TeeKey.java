// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.rcar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.guestattest.broker.client.EcdhEs;
import dev.guestattest.broker.wire.Jwe;
import dev.guestattest.broker.wire.ProtectedHeader;
import dev.guestattest.core.AttestationException;
import java.text.ParseException;

/**
 * The TEE's public key from the RCAR runtime data, as a JWK: EC (P-256, P-384, P-521) for
 * ECDH-ES+A256KW, or RSA of at least 2048 bits for RSA-OAEP-256; the content is A256GCM either
 * way. RSA1_5, which Trustee still accepts with a warning, is refused: it is open to padding-oracle
 * attacks. A JWK with private parts is refused too (the guest must not send its private key).
 */
public record TeeKey(JWK jwk, JWEAlgorithm algorithm) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static TeeKey parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw AttestationException.invalid("runtime-data.tee-pubkey", "must be a JWK object");
        }
        JWK jwk;
        try {
            jwk = JWK.parse(JSON.writeValueAsString(node));
        } catch (ParseException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AttestationException.invalid("runtime-data.tee-pubkey", "not a JWK: " + e.getMessage());
        }
        if (jwk.isPrivate()) {
            throw AttestationException.invalid("runtime-data.tee-pubkey", "carries private key parts; send the public key only");
        }
        String alg = node.path("alg").asText("");
        if (jwk instanceof ECKey ec) {
            if (!EcdhEs.curves().contains(ec.getCurve())) {
                throw AttestationException.invalid("runtime-data.tee-pubkey.crv", ec.getCurve() + " is not P-256, P-384 or P-521");
            }
            if (!alg.isEmpty() && !alg.equals(JWEAlgorithm.ECDH_ES_A256KW.getName())) {
                throw AttestationException.invalid("runtime-data.tee-pubkey.alg", "'" + alg + "': an EC key takes ECDH-ES+A256KW");
            }
            return new TeeKey(jwk, JWEAlgorithm.ECDH_ES_A256KW);
        }
        if (jwk instanceof RSAKey rsa) {
            if (rsa.size() < 2048) {
                throw AttestationException.invalid("runtime-data.tee-pubkey.n", rsa.size() + " bits; RSA keys need at least 2048");
            }
            // e = 1 (or any tiny exponent) would hand the wrapped key to whoever reads the response
            java.math.BigInteger e = rsa.getPublicExponent().decodeToBigInteger();
            if (!e.testBit(0) || e.compareTo(java.math.BigInteger.valueOf(65537)) < 0 || e.bitLength() > 256) {
                throw AttestationException.invalid("runtime-data.tee-pubkey.e", "the public exponent must be odd, at least 65537 and"
                        + " at most 256 bits (NIST SP 800-56B)");
            }
            if (!alg.isEmpty() && !alg.equals(JWEAlgorithm.RSA_OAEP_256.getName())) {
                throw AttestationException.invalid("runtime-data.tee-pubkey.alg", "'" + alg + "': an RSA key takes RSA-OAEP-256 (RSA1_5 is refused)");
            }
            return new TeeKey(jwk, JWEAlgorithm.RSA_OAEP_256);
        }
        throw AttestationException.invalid("runtime-data.tee-pubkey.kty", jwk.getKeyType() + " is not EC or RSA");
    }

    public static TeeKey parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AttestationException.invalid("tee-pubkey", "not JSON");
        }
    }

    /** The key as compact JSON, as stored with the session and put in the token. */
    public String json() {
        return jwk.toJSONString();
    }

    /** Wraps {@code secret} to this key: a flattened JSON JWE. */
    public String wrap(byte[] secret) {
        JWEObject jwe = new JWEObject(ProtectedHeader.of(algorithm, EncryptionMethod.A256GCM, java.util.Optional.empty()), new Payload(secret));
        try {
            if (jwk instanceof ECKey ec) {
                jwe.encrypt(EcdhEs.encrypter(ec));
            } else {
                jwe.encrypt(new RSAEncrypter((RSAKey) jwk));
            }
        } catch (JOSEException e) {
            throw AttestationException.invalid("tee-pubkey", "cannot encrypt to it: " + e.getMessage());
        }
        return Jwe.flatten(jwe.serialize());
    }
}
