// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.request.AttestationRequest;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;

/**
 * An emulated ultravisor with one host key (ECDH P-521, as IBM's host keys are) and one booted
 * Secure Execution image. Requests are ARCB v1 as IBM's tools make them ({@link AttestationRequest}):
 * only an ultravisor whose host key has a key slot can open one, so only it and the request owner
 * know the measurement key.
 */
public final class EmulatedUltravisor {
    private final KeyPair hostKey;
    private final SecureExecutionMeasurement.ImageHeader image;
    private final Bytes configUid;

    public EmulatedUltravisor(KeyPair hostKey, SecureExecutionMeasurement.ImageHeader image, Bytes configUid) {
        this.hostKey = hostKey;
        this.image = image;
        this.configUid = configUid.checkLength("config UID", 16);
    }

    public static KeyPair newHostKey(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp521r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-521 is mandatory in every JDK", e);
        }
    }

    public PublicKey hostPublicKey() {
        return hostKey.getPublic();
    }

    public SecureExecutionMeasurement.ImageHeader image() {
        return image;
    }

    /** Retrieve Attestation Measurement: opens the request (ARCB v1) and measures the image, the guest's user data and the additional data. */
    public Response attest(byte[] arcb, Bytes userData) {
        AttestationRequest.Opened opened;
        try {
            opened = AttestationRequest.open(arcb, hostKey);
        } catch (AttestationException e) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "emulated ultravisor: " + e.getMessage());
        }
        Bytes additional = Bytes.EMPTY;
        SecureExecutionMeasurement m = new SecureExecutionMeasurement(image, configUid, userData, opened.nonce(), additional);
        Bytes measurement = m.compute(opened.measurementKey());
        Arrays.fill(opened.measurementKey(), (byte) 0);
        return new Response(measurement, additional, configUid, userData);
    }

    /** What the guest gets back and hands to the verifier. */
    public record Response(Bytes measurement, Bytes additionalData, Bytes configUid, Bytes userData) {
    }
}
