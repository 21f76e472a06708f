// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.broker.store.SharedDocuments;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ear.EarVerifier;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The broker's tokens, issued and verified here alone: an EAR JWT ({@code EarSigner}) with the
 * attested TEE key and an expiry, so that the token by itself authorizes a release wrapped to that
 * key; verified with {@link EarVerifier} (signature, profile, submods), then read for what a
 * release needs. Every instance on a store shares the key ({@link TokenKey}).
 */
final class Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TokenKey key;

    /** What a verified token attests: one TEE's appraisal, and the key its releases are wrapped to. */
    record Claims(String tee, Tier status, Optional<Bytes> initialMeasurement, TeeKey teeKey) {
    }

    Tokens(SharedDocuments documents, Kek kek, long now) {
        this.key = TokenKey.shared(documents, kek, now);
    }

    ECPublicKey publicKey() {
        return key.publicKey();
    }

    /** A token for an accepted attestation, valid until {@code expires}. */
    String issue(Appraisal a, TeeKey teeKey, Instant expires) {
        Map<String, Object> extra = new HashMap<>();
        extra.put("exp", expires);
        extra.put("tee-pubkey", teeKey.jwk().toJSONObject());
        return key.signer().sign(a, Optional.empty(), extra);
    }

    /** An appraisal's EAR, as {@code /appraise} answers it: it authorizes nothing here (no key, no expiry). */
    String sign(Appraisal a) {
        return key.signer().sign(a, Optional.empty());
    }

    /** The claims of a token this broker issued that is still valid at {@code now}; otherwise a refusal saying which it is not. */
    Claims verify(String token, long now) {
        JWTClaimsSet claims;
        try {
            claims = EarVerifier.verify(token, key.publicKey());
        } catch (AttestationException e) {
            throw new BrokerException(Refusal.TOKEN_INVALID, "token refused: " + e.getMessage());
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.getTime() <= now) {
            throw new BrokerException(Refusal.TOKEN_EXPIRED, "token expired; attest again");
        }
        Map<?, ?> submods = claims.getClaim("submods") instanceof Map<?, ?> m ? m : Map.of();
        if (submods.size() != 1 || !(claims.getClaim("tee-pubkey") instanceof Map<?, ?> jwk)) {
            throw new BrokerException(Refusal.TOKEN_INVALID, "token is not one this broker issues");
        }
        Map.Entry<?, ?> sub = submods.entrySet().iterator().next();
        Map<?, ?> appraisal = sub.getValue() instanceof Map<?, ?> m ? m : Map.of();
        Optional<Bytes> measurement = appraisal.get("ear.guestattest.claims") instanceof Map<?, ?> common
                && common.get("initial_measurement") instanceof String h ? Optional.of(Bytes.fromHex("token initial_measurement", h)) : Optional.empty();
        return new Claims(String.valueOf(sub.getKey()), tier(String.valueOf(appraisal.get("ear.status"))), measurement,
                TeeKey.parse(JSON.valueToTree(jwk)));
    }

    /** The tier an EAR status names; none for a name it does not know. */
    static Tier tier(String earName) {
        for (Tier t : Tier.values()) {
            if (t.earName().equals(earName)) {
                return t;
            }
        }
        return Tier.NONE;
    }
}
