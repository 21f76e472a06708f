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
    private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384);
    public static final int MAX_SIZE = 256 * 1024;

    private EarVerifier() {
    }

    public static JWTClaimsSet verify(String token, ECPublicKey appraiserKey) {
        if (token.length() > MAX_SIZE) {
            throw AttestationException.tooLarge("EAR", token.length(), MAX_SIZE);
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!ALLOWED.contains(jwt.getHeader().getAlgorithm())) {
                throw AttestationException.invalid("EAR", "algorithm " + jwt.getHeader().getAlgorithm() + " is not ES256 or ES384");
            }
            if (!jwt.verify(new ECDSAVerifier(appraiserKey))) {
                throw AttestationException.invalid("EAR", "the signature does not verify with the appraiser's key");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!EarSigner.PROFILE.equals(claims.getStringClaim("eat_profile"))) {
                throw AttestationException.invalid("EAR eat_profile", "is not " + EarSigner.PROFILE);
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
