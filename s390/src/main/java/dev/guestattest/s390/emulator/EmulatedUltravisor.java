package dev.guestattest.s390.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.s390.abi.SeMeasurement;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An emulated ultravisor with one host key (ECDH P-521, as IBM's host keys are) and one booted
 * Secure Execution image. Requests are the emulator's ARCB: magic, version 0x0100 and length as in
 * the v1 layout, then the request owner's P-521 public key and the measurement key and optional
 * nonce sealed with AES-256-GCM under SHA-256(ECDH(owner, host)) (one agreement instead of the real
 * key slots). Only this ultravisor can open it, so only it and the owner know the measurement key.
 */
public final class EmulatedUltravisor {
    private static final int MAGIC_SIZE = 8;

    private final KeyPair hostKey;
    private final SeMeasurement.SeHeader image;
    private final Bytes configUid;

    public EmulatedUltravisor(KeyPair hostKey, SeMeasurement.SeHeader image, Bytes configUid) {
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

    public SeMeasurement.SeHeader image() {
        return image;
    }

    /** What the request owner keeps: the measurement key and nonce it sealed into the request. */
    public record Request(byte[] arcb, byte[] measurementKey, Optional<Bytes> nonce) {
    }

    /** Builds a request for the ultravisor holding {@code hostPublic}, as the verifier does. */
    public static Request request(PublicKey hostPublic, Optional<Bytes> nonce, SecureRandom random) {
        byte[] key = new byte[64];
        random.nextBytes(key);
        KeyPair owner = newHostKey(random);
        byte[] plain = nonce.map(n -> concat(key, n.toArray())).orElse(key);
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, agree(owner.getPrivate(), hostPublic), iv, plain);
        byte[] ownerKey = owner.getPublic().getEncoded();
        ByteBuffer b = ByteBuffer.allocate(MAGIC_SIZE + 4 + 4 + 12 + 2 + ownerKey.length + sealed.length);
        b.put(new byte[MAGIC_SIZE]).putInt(0x0100).putInt(b.capacity()).put(iv).putShort((short) ownerKey.length).put(ownerKey).put(sealed);
        return new Request(b.array(), key, nonce);
    }

    /** Retrieve Attestation Measurement: opens the request and measures the image, the guest's user data and the additional data. */
    public Response attest(byte[] arcb, Bytes userData) {
        try {
            ByteBuffer b = ByteBuffer.wrap(arcb);
            b.position(MAGIC_SIZE);
            int version = b.getInt();
            int length = b.getInt();
            if (version != 0x0100 || length != arcb.length) {
                throw refused("the request is not a version 0x0100 ARCB of its stated length");
            }
            byte[] iv = new byte[12];
            b.get(iv);
            int keyLength = b.getShort() & 0xffff;
            if (keyLength > b.remaining()) {
                throw refused("the request's key field overruns it");
            }
            byte[] ownerKey = new byte[keyLength];
            b.get(ownerKey);
            byte[] sealed = new byte[b.remaining()];
            b.get(sealed);
            PublicKey owner = java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(ownerKey));
            byte[] plain = crypt(Cipher.DECRYPT_MODE, agree(hostKey.getPrivate(), owner), iv, sealed);
            if (plain.length != 64 && plain.length != 80) {
                throw refused("the sealed area is " + plain.length + " bytes, not a key and an optional nonce");
            }
            byte[] key = Arrays.copyOf(plain, 64);
            Optional<Bytes> nonce = plain.length == 80 ? Optional.of(Bytes.of(plain, 64, 16)) : Optional.empty();
            Bytes additional = Bytes.EMPTY;
            SeMeasurement m = new SeMeasurement(image, configUid, userData, nonce, additional);
            return new Response(m.compute(key), additional, configUid, userData);
        } catch (GeneralSecurityException | java.nio.BufferUnderflowException e) {
            throw refused("the request does not open with this host's key (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** What the guest gets back and hands to the verifier. */
    public record Response(Bytes measurement, Bytes additionalData, Bytes configUid, Bytes userData) {
    }

    private static AttestationException refused(String why) {
        return AttestationException.of(Reason.DEVICE_ERROR, "emulated ultravisor: " + why);
    }

    private static byte[] agree(PrivateKey mine, PublicKey theirs) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(mine);
            ka.doPhase(theirs, true);
            return java.security.MessageDigest.getInstance("SHA-256").digest(ka.generateSecret());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] crypt(int mode, byte[] key, byte[] iv, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw refused("AES-GCM: the request was not sealed for this ultravisor or was changed");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
