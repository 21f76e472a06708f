// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.ear;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.guestattest.core.AttestationException;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;

/** For relying parties: checks an EAR JWT's signature with the appraiser's public key and its profile, then hands back its claims. */
public final class EarVerifier {
    private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.EdDSA);
    public static final int MAX_SIZE = 256 * 1024;
    /** The veraison EAR profile, and Trustee's profile of it (a broker's tokens). */
    private static final Set<String> PROFILES = Set.of(EarSigner.PROFILE, TrusteeEar.PROFILE);

    private EarVerifier() {
    }

    /**
     * The CBOR form: checks the COSE_Sign1 with the appraiser's key and the profile, then hands back
     * the CWT claims (integer keys read as their decimal text: {@code "266"} for submods).
     */
    public static com.fasterxml.jackson.databind.JsonNode verifyCbor(byte[] token, java.security.PublicKey appraiserKey) {
        if (token.length > MAX_SIZE) {
            throw AttestationException.tooLarge("EAR", token.length, MAX_SIZE);
        }
        dev.guestattest.core.cose.CoseSign1 cose = dev.guestattest.core.cose.CoseSign1.parse("EAR", token);
        if (cose.alg() != dev.guestattest.core.cose.CoseSign1.ES256 && cose.alg() != dev.guestattest.core.cose.CoseSign1.ES384
                && cose.alg() != dev.guestattest.core.cose.CoseSign1.EDDSA) {
            throw AttestationException.invalid("EAR", "COSE algorithm " + cose.alg() + " is not ES256, ES384 or EdDSA");
        }
        if (!cose.verifies(appraiserKey)) {
            throw AttestationException.invalid("EAR", "the signature does not verify with the appraiser's key");
        }
        com.fasterxml.jackson.databind.JsonNode claims = dev.guestattest.core.cose.Cbor.tree("EAR payload", cose.payload().toArray());
        if (!EarSigner.PROFILE.equals(claims.path(Integer.toString(EarSigner.EAT_PROFILE)).asText(null))) {
            throw AttestationException.invalid("EAR eat_profile (265)", "is not " + EarSigner.PROFILE);
        }
        com.fasterxml.jackson.databind.JsonNode submods = claims.get(Integer.toString(EarSigner.SUBMODS));
        if (submods == null || !submods.isObject() || submods.isEmpty()) {
            throw AttestationException.invalid("EAR submods (266)", "missing");
        }
        return claims;
    }

    public static JWTClaimsSet verify(String token, java.security.PublicKey appraiserKey) {
        return verify(token, appraiserKey, java.util.Optional.empty());
    }

    /** Verifying ECDSA through {@code jca} (e.g. Bouncy Castle, several times faster than the JDK's P-256 here). */
    public static JWTClaimsSet verify(String token, java.security.PublicKey appraiserKey, java.util.Optional<java.security.Provider> jca) {
        if (token.length() > MAX_SIZE) {
            throw AttestationException.tooLarge("EAR", token.length(), MAX_SIZE);
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!ALLOWED.contains(jwt.getHeader().getAlgorithm())) {
                throw AttestationException.invalid("EAR", "algorithm " + jwt.getHeader().getAlgorithm() + " is not ES256, ES384 or EdDSA");
            }
            com.nimbusds.jose.JWSVerifier verifier;
            if (appraiserKey instanceof ECPublicKey ec) {
                ECDSAVerifier ecdsa = new ECDSAVerifier(ec);
                jca.ifPresent(p -> ecdsa.getJCAContext().setProvider(p));
                verifier = ecdsa;
            } else if (Ed25519Jws.isEd25519(appraiserKey)) {
                verifier = Ed25519Jws.verifier(appraiserKey);
            } else {
                throw AttestationException.invalid("appraiser key", "must be an EC or Ed25519 public key");
            }
            if (!jwt.verify(verifier)) {
                throw AttestationException.invalid("EAR", "the signature does not verify with the appraiser's key");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!PROFILES.contains(claims.getStringClaim("eat_profile"))) {
                throw AttestationException.invalid("EAR eat_profile", "is not " + EarSigner.PROFILE + " or " + TrusteeEar.PROFILE);
            }
            Map<String, Object> submods = claims.getJSONObjectClaim("submods");
            if (submods == null || submods.isEmpty()) {
                throw AttestationException.invalid("EAR submods", "missing");
            }
            return claims;
        } catch (ParseException e) {
            throw AttestationException.invalid("EAR", "not a JWT: " + e.getMessage());
        } catch (JOSEException e) {
            throw AttestationException.invalid("EAR", "cannot be verified: " + e.getMessage());
        }
    }
}
