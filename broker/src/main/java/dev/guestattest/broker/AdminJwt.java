// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.SignedJWT;
import dev.guestattest.verify.ear.Ed25519Jws;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.util.Date;
import java.util.List;

/**
 * An admin credential as Trustee's {@code kbs-client} sends it from v0.21 on: a bearer JWT the
 * operator signed with a key the broker is configured with ({@code --admin-jwt-key}), EdDSA on
 * Ed25519 (what Trustee's docker-compose setup makes) or ES256 on P-256, with an {@code exp} that has
 * not passed (trustee 78962cd4 {@code kbs/src/admin/bearer_jwt.rs}; 60 s leeway, as jsonwebtoken
 * gives). Trustee also requires a {@code role} and matches it against ACLs; this broker has one admin
 * role, so a token is an admin's whatever its role says. The algorithm comes from the key, never
 * from the token's header alone: an HMAC or {@code none} token verifies with nothing here.
 */
public final class AdminJwt {
    static final long LEEWAY_MILLIS = 60_000;
    static final int MAX_SIZE = 16 << 10;

    private AdminJwt() {
    }

    /** An operator's public key from PEM ({@code PUBLIC KEY}, as {@code openssl pkey -pubout} writes it): Ed25519 or EC P-256. */
    public static PublicKey readKey(String what, byte[] pem) {
        java.security.spec.X509EncodedKeySpec spki;
        try {
            spki = new java.security.spec.X509EncodedKeySpec(dev.guestattest.core.pki.Pem.decode("PUBLIC KEY",
                    new String(pem, java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (RuntimeException e) {
            throw dev.guestattest.core.AttestationException.invalid(what, "holds no PEM PUBLIC KEY block");
        }
        for (String algorithm : List.of("Ed25519", "EC")) {
            try {
                PublicKey k = java.security.KeyFactory.getInstance(algorithm).generatePublic(spki);
                if (usable(k)) {
                    return k;
                }
            } catch (java.security.GeneralSecurityException notThisOne) {
                // the next algorithm
            }
        }
        throw dev.guestattest.core.AttestationException.invalid(what, "is not an Ed25519 or EC P-256 public key");
    }

    /** Whether {@code key} can verify admin tokens: Ed25519, or EC on P-256. */
    public static boolean usable(PublicKey key) {
        return Ed25519Jws.isEd25519(key) || key instanceof ECPublicKey ec && Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()));
    }

    /** Whether {@code token} is a JWT signed by one of {@code keys} that has an {@code exp} after {@code now} (less the leeway). */
    public static boolean valid(String token, List<PublicKey> keys, long now) {
        if (keys.isEmpty() || token.length() > MAX_SIZE || token.chars().filter(ch -> ch == '.').count() != 2) {
            return false;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
            Date exp = jwt.getJWTClaimsSet().getExpirationTime();
            if (exp == null || exp.getTime() + LEEWAY_MILLIS <= now) {
                return false;
            }
            for (PublicKey k : keys) {
                JWSVerifier v = Ed25519Jws.isEd25519(k) ? (JWSAlgorithm.EdDSA.equals(alg) ? Ed25519Jws.verifier(k) : null)
                        : (JWSAlgorithm.ES256.equals(alg) ? new ECDSAVerifier((ECPublicKey) k) : null);
                if (v != null && jwt.verify(v)) {
                    return true;
                }
            }
            return false;
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return false;
        }
    }
}
