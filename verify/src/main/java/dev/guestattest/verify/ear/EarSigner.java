// SPDX-License-Identifier: Apache-2.0
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
 * Signs appraisals as EAR JWTs (ES256 on P-256, ES384 on P-384, EdDSA with Ed25519), with the claim names the veraison
 * EAR libraries use today (formats.md §8): {@code eat_profile}, {@code iat}, {@code ear.verifier-id},
 * and one submodule per TEE holding {@code ear.status}, {@code ear.trustworthiness-vector} and
 * {@code ear.appraisal-policy-id}, plus the policy's SHA-256 and the common claims under
 * {@code ear.guestattest.*}. The CBOR form ({@link #signCbor}) is a COSE_Sign1 over a CWT with the
 * draft's integer keys.
 */
public final class EarSigner {
    public static final String PROFILE = "tag:github.com,2023:veraison/ear";

    /** CBOR keys of the draft (formats.md §8). */
    static final int EAT_PROFILE = 265, IAT = 6, EAT_NONCE = 10, VERIFIER_ID = 1004, SUBMODS = 266, STATUS = 1000, VECTOR = 1001,
            POLICY_IDS = 1003, ATTESTER_CLAIMS = 1005;
    /** The policy's SHA-256 in the CBOR form: a private text key, as the JSON form has. */
    static final String POLICY_SHA256 = "ear.guestattest.policy-sha256";

    private final com.nimbusds.jose.JWSSigner signer;
    private final java.security.PrivateKey privateKey;
    private final JWSAlgorithm algorithm;
    private final int coseAlgorithm;
    private final String keyId;
    /** The public key as a JWK ({@code alg} included), for tokens that carry it in their header; none for Ed25519. */
    private final Optional<com.nimbusds.jose.jwk.JWK> publicJwk;

    public EarSigner(KeyPair key) {
        this(key, java.util.Optional.empty());
    }

    /** Signing through {@code jca} (e.g. Bouncy Castle, faster than the JDK's ECDSA here) rather than the default provider. */
    public EarSigner(KeyPair key, java.util.Optional<java.security.Provider> jca) {
        this.keyId = Bytes.of(dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(key.getPublic().getEncoded())).hex().substring(0, 16);
        this.privateKey = key.getPrivate();
        if (Ed25519Jws.isEd25519(key.getPrivate()) && Ed25519Jws.isEd25519(key.getPublic())) {
            this.algorithm = JWSAlgorithm.EdDSA;
            this.coseAlgorithm = dev.guestattest.core.cose.CoseSign1.EDDSA;
            this.signer = Ed25519Jws.signer(key.getPrivate());
            this.publicJwk = Optional.empty();
            return;
        }
        if (!(key.getPrivate() instanceof ECPrivateKey priv) || !(key.getPublic() instanceof ECPublicKey pub)) {
            throw AttestationException.invalid("appraiser key", "must be an EC (P-256 or P-384) or Ed25519 key pair");
        }
        Curve curve = Curve.forECParameterSpec(pub.getParams());
        this.algorithm = Curve.P_256.equals(curve) ? JWSAlgorithm.ES256 : Curve.P_384.equals(curve) ? JWSAlgorithm.ES384 : null;
        if (algorithm == null) {
            throw AttestationException.invalid("appraiser key", "curve " + curve + " is not P-256 or P-384");
        }
        this.coseAlgorithm = algorithm == JWSAlgorithm.ES256 ? dev.guestattest.core.cose.CoseSign1.ES256 : dev.guestattest.core.cose.CoseSign1.ES384;
        try {
            ECDSASigner ec = new ECDSASigner(priv);
            jca.ifPresent(p -> ec.getJCAContext().setProvider(p));
            this.signer = ec;
            this.publicJwk = Optional.of(new com.nimbusds.jose.jwk.ECKey.Builder(curve, pub).algorithm(algorithm).build());
        } catch (JOSEException e) {
            throw AttestationException.invalid("appraiser key", e.getMessage());
        }
    }

    public String sign(Appraisal a, Optional<Bytes> nonce) {
        return sign(a, nonce, Map.of());
    }

    /**
     * With further top-level claims: a key broker adds {@code exp} (epoch seconds) and the TEE's
     * public key, so that the token alone authorizes a release wrapped to that key.
     */
    public String sign(Appraisal a, Optional<Bytes> nonce, Map<String, Object> extra) {
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
        extra.forEach((k, v) -> claims.claim(k, v instanceof java.time.Instant t ? Date.from(t) : v));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(new JOSEObjectType("JWT")).keyID(keyId).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with a checked EC key failed", e);
        }
        return jwt.serialize();
    }

    /**
     * Signs {@code claims} as they are, with the public key also in the header as {@code jwk} (how
     * Trustee's attestation service lets a KBS configured with {@code insecure_header_jwk} find it)
     * and its {@code kid} (how a relying party holding this signer's JWKS finds it).
     */
    public String signWithJwk(JWTClaimsSet claims) {
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(new JOSEObjectType("JWT")).keyID(keyId);
        publicJwk.ifPresent(header::jwk);
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with a checked key failed", e);
        }
        return jwt.serialize();
    }

    /** This signer's public key as a JWK Set (one key, with its {@code kid} and {@code alg}); empty for Ed25519. */
    public Optional<com.nimbusds.jose.jwk.JWKSet> jwks() {
        return publicJwk.map(k -> new com.nimbusds.jose.jwk.JWKSet(new com.nimbusds.jose.jwk.ECKey.Builder(k.toECKey()).keyID(keyId).build()));
    }

    /**
     * The CBOR form: a tagged COSE_Sign1 (ES256 or ES384, as the key) over
     * {@code {265: profile, 6: iat, 1004: {0: developer, 1: build}, 266: {tee: {1000: status, 1001:
     * {category: value}, 1003: [policy id], "ear.guestattest.policy-sha256": hex, 1005: claims}}, 10: nonce}}.
     * Categories with no claim (0) are left out, as in the draft's examples.
     */
    public byte[] signCbor(Appraisal a, Optional<Bytes> nonce) {
        byte[] payload = dev.guestattest.core.cose.Cbor.encode(g -> {
            g.writeStartObject();
            g.writeFieldId(EAT_PROFILE);
            g.writeString(PROFILE);
            g.writeFieldId(IAT);
            g.writeNumber(a.appraisedAt().getEpochSecond());
            g.writeFieldId(VERIFIER_ID);
            g.writeStartObject();
            g.writeFieldId(0);
            g.writeString("dev.guestattest");
            g.writeFieldId(1);
            g.writeString("guestattest-verify");
            g.writeEndObject();
            if (nonce.isPresent()) {
                g.writeFieldId(EAT_NONCE);
                g.writeBinary(nonce.get().toArray());
            }
            g.writeFieldId(SUBMODS);
            g.writeStartObject();
            g.writeFieldName(a.format());
            g.writeStartObject();
            g.writeFieldId(STATUS);
            g.writeNumber(a.status().code());
            g.writeFieldId(VECTOR);
            g.writeStartObject();
            int key = 0;
            for (int v : a.trustVector().values().values()) {
                if (v != 0) {
                    g.writeFieldId(key);
                    g.writeNumber(v);
                }
                key++;
            }
            g.writeEndObject();
            g.writeFieldId(POLICY_IDS);
            g.writeStartArray(null, 1);
            g.writeString(a.policyId());
            g.writeEndArray();
            g.writeFieldName(POLICY_SHA256);
            g.writeString(a.policySha256());
            if (a.claims().isPresent()) {
                g.writeFieldId(ATTESTER_CLAIMS);
                dev.guestattest.core.cose.Cbor.MAPPER.writeValue(g, a.claims().get().toMap());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
        return dev.guestattest.core.cose.CoseSign1.sign(payload, privateKey, coseAlgorithm);
    }
}
