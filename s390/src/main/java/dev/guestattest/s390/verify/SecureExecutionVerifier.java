// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.abi.AttestationResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Secure Execution responses, checked by the request owner: the measurement must be the HMAC under
 * the request's measurement key (aux {@code secret}: key and nonce, 64 + 16 bytes) over the image's
 * header values (aux {@code image}: JSON {pld, ald, tld, tag}, or {image: {...}}), the guest's config
 * UID, its user data and the nonce. There is no certificate chain: the key is the trust.
 */
public final class SecureExecutionVerifier implements EvidenceVerifier {
    public static final int SECRET_SIZE = 80;

    @Override
    public String format() {
        return "s390";
    }

    @Override
    public boolean recognizes(byte[] e) {
        return e.length < 64 * 1024 && new String(e, StandardCharsets.UTF_8).contains("\"" + AttestationResponse.FORMAT + "\"");
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        try {
            AttestationResponse r = AttestationResponse.fromJson(evidence.bytes().toArray());
            byte[] secret = evidence.aux("secret").orElseThrow(() -> AttestationException.invalid("secret",
                    "s390 needs the request's secret (aux part 'secret')")).toArray();
            SecureExecutionMeasurement.ImageHeader image = image(evidence.aux("image").orElseThrow(() -> AttestationException.invalid("image",
                    "s390 needs the image's header values (aux part 'image')")).toArray());
            List<Check> checks = new ArrayList<>();
            checks.add(measurement(r, secret, image));
            return new VendorVerification(new VerificationResult(checks), checks.get(0).passed() ? Optional.of(r.common(image)) : Optional.empty(),
                    Optional.empty(), Map.of("config_uid", r.configUid().hex(), "additional_data", r.additionalData().hex()));
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("evidence.format", e));
        }
    }

    /**
     * The attestation request, made here: sealed to the trusted {@code host-key} part (PEM, one or
     * more keys or host key documents) with a fresh nonce. The guest gets the ARCB (base64, {@code
     * arcb}); the measurement key and nonce stay with the verifier as the {@code secret} part.
     */
    @Override
    public Optional<dev.guestattest.core.verify.SupplementalChallenge> challenge(Map<String, Bytes> trusted, java.security.SecureRandom random) {
        Bytes hostKeys = trusted.get("host-key");
        if (hostKeys == null) {
            throw AttestationException.invalid("host-key", "s390 evidence answers a request sealed to the host keys: configure them (aux part 'host-key')");
        }
        byte[] n = new byte[16];
        random.nextBytes(n);
        dev.guestattest.s390.request.AttestationRequest.Sealed req = dev.guestattest.s390.request.AttestationRequest.create(
                dev.guestattest.s390.request.RequestKeys.hostKeys("host-key", hostKeys.toArray()), Optional.of(Bytes.of(n)), random);
        byte[] secret = new byte[SECRET_SIZE];
        System.arraycopy(req.measurementKey(), 0, secret, 0, 64);
        System.arraycopy(n, 0, secret, 64, 16);
        try {
            return Optional.of(new dev.guestattest.core.verify.SupplementalChallenge(
                    Map.of("arcb", java.util.Base64.getEncoder().encodeToString(req.arcb())), Map.of("secret", Bytes.of(secret))));
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
            java.util.Arrays.fill(req.measurementKey(), (byte) 0);
        }
    }

    /** The one check SE evidence allows; the secret is wiped after use. */
    public static Check measurement(AttestationResponse r, byte[] secret, SecureExecutionMeasurement.ImageHeader image) {
        if (secret.length != SECRET_SIZE) {
            throw AttestationException.invalid("secret", secret.length + " bytes; a request secret is 64 + 16");
        }
        SecureExecutionMeasurement m = new SecureExecutionMeasurement(image, r.configUid(), r.userData(), Optional.of(Bytes.of(secret, 64, 16)), r.additionalData());
        boolean ok = m.matches(Arrays.copyOf(secret, 64), r.measurement());
        Arrays.fill(secret, (byte) 0);
        return ok ? Check.pass("measurement", "HMAC-SHA512 under the request's key: this image, config UID, user data and nonce")
                : Check.fail("measurement", "does not match: another image, guest, nonce or request");
    }

    /** The image's header values: {pld, ald, tld, tag} in hex, at the top level or under "image". */
    public static SecureExecutionMeasurement.ImageHeader image(byte[] json) {
        JsonNode n = Json.tree("image", json);
        if (!n.isObject()) {
            throw AttestationException.invalid("image", "must be a JSON object {pld, ald, tld, tag}");
        }
        JsonNode i = n.has("image") ? n.get("image") : n;
        return new SecureExecutionMeasurement.ImageHeader(Bytes.fromHex("image pld", i.path("pld").asText()), Bytes.fromHex("image ald", i.path("ald").asText()),
                Bytes.fromHex("image tld", i.path("tld").asText()), Bytes.fromHex("image tag", i.path("tag").asText()));
    }
}
