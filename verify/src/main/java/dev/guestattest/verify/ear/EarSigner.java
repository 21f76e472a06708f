package dev.guestattest.verify.ear;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.Appraisal;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Signs appraisals as EAR JWTs (ES256 on P-256, ES384 on P-384), with the claim names the veraison
 * EAR libraries use today (formats.md §8): {@code eat_profile}, {@code iat}, {@code ear.verifier-id},
 * and one submodule per TEE holding {@code ear.status}, {@code ear.trustworthiness-vector} and
 * {@code ear.appraisal-policy-id}, plus the policy's SHA-256 and the common claims under
 * {@code ear.guestattest.*}.
 */
public final class EarSigner {
    public static final String PROFILE = "tag:github.com,2023:veraison/ear";

    private final ECDSASigner signer;
    private final JWSAlgorithm algorithm;
    private final String keyId;

    public EarSigner(KeyPair key) {
        if (!(key.getPrivate() instanceof ECPrivateKey priv) || !(key.getPublic() instanceof ECPublicKey pub)) {
            throw AttestationException.invalid("appraiser key", "must be an EC key pair (P-256 or P-384)");
        }
        Curve curve = Curve.forECParameterSpec(pub.getParams());
        this.algorithm = Curve.P_256.equals(curve) ? JWSAlgorithm.ES256 : Curve.P_384.equals(curve) ? JWSAlgorithm.ES384 : null;
        if (algorithm == null) {
            throw AttestationException.invalid("appraiser key", "curve " + curve + " is not P-256 or P-384");
        }
        try {
            this.signer = new ECDSASigner(priv);
        } catch (JOSEException e) {
            throw AttestationException.invalid("appraiser key", e.getMessage());
        }
        this.keyId = Bytes.of(sha256(pub.getEncoded())).hex().substring(0, 16);
    }

    public String sign(Appraisal a, Optional<Bytes> nonce) {
        Map<String, Object> submod = new LinkedHashMap<>();
        submod.put("ear.status", a.status().earName());
        submod.put("ear.trustworthiness-vector", new LinkedHashMap<>(a.trustVector().values()));
        submod.put("ear.appraisal-policy-id", a.policyId());
        submod.put("ear.guestattest.policy-sha256", a.policySha256());
        a.claims().ifPresent(c -> submod.put("ear.guestattest.claims", c.toMap()));
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().claim("eat_profile", PROFILE).issueTime(Date.from(a.appraisedAt()))
                .claim("ear.verifier-id", Map.of("developer", "dev.guestattest", "build", "guestattest-verify"))
                .claim("submods", Map.of(a.format(), submod));
        nonce.ifPresent(n -> claims.claim("eat_nonce", Base64.getUrlEncoder().withoutPadding().encodeToString(n.toArray())));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(new JOSEObjectType("JWT")).keyID(keyId).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with a checked EC key failed", e);
        }
        return jwt.serialize();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
