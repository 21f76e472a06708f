// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Secure Execution attestation measurement (formats.md §5.4): HMAC-SHA512, keyed with the
 * request owner's measurement key, over the SE header's page, address and tweak list digests and
 * tag, the configuration UID, the lengths, the user data, the nonce (when the request had one) and
 * the additional data.
 */
public record SecureExecutionMeasurement(ImageHeader header, Bytes configUid, Bytes userData, Optional<Bytes> nonce, Bytes additionalData) {
    public static final int MAX_USER_DATA = 256;
    public static final int MAX_ADDITIONAL_DATA = 0x8000;

    public SecureExecutionMeasurement {
        configUid.checkLength("config UID", 16);
        if (userData.length() > MAX_USER_DATA) {
            throw AttestationException.tooLarge("user data", userData.length(), MAX_USER_DATA);
        }
        nonce.ifPresent(n -> n.checkLength("nonce", 16));
        if (additionalData.length() > MAX_ADDITIONAL_DATA) {
            throw AttestationException.tooLarge("additional data", additionalData.length(), MAX_ADDITIONAL_DATA);
        }
    }

    /** What a verifier knows of the image from building it: the header's three list digests and its tag. */
    public record ImageHeader(Bytes pageListDigest, Bytes addressListDigest, Bytes tweakListDigest, Bytes tag) {
        public ImageHeader {
            pageListDigest.checkLength("page list digest", 64);
            addressListDigest.checkLength("address list digest", 64);
            tweakListDigest.checkLength("tweak list digest", 64);
            tag.checkLength("SE header tag", 16);
        }
    }

    /** The HMAC's message. */
    public byte[] message() {
        ByteBuffer b = ByteBuffer.allocate(64 * 3 + 16 + 16 + 2 + 2 + 4 + userData.length() + 16 + additionalData.length());
        b.put(header.pageListDigest().toArray()).put(header.addressListDigest().toArray()).put(header.tweakListDigest().toArray())
                .put(header.tag().toArray()).put(configUid.toArray()).putShort((short) userData.length()).putShort((short) 0)
                .putInt(additionalData.length()).put(userData.toArray());
        nonce.ifPresent(n -> b.put(n.toArray()));
        b.put(additionalData.toArray());
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    public Bytes compute(byte[] measurementKey) {
        if (measurementKey.length != 64) {
            throw AttestationException.invalid("measurement key", measurementKey.length + " bytes; HMAC-SHA512 keys here are 64");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(measurementKey, "HmacSHA512"));
            return Bytes.of(mac.doFinal(message()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA512 is mandatory in every JDK", e);
        }
    }

    /** Whether {@code measurement} is this one's, compared in constant time. */
    public boolean matches(byte[] measurementKey, Bytes measurement) {
        return MessageDigest.isEqual(compute(measurementKey).toArray(), measurement.toArray());
    }
}
