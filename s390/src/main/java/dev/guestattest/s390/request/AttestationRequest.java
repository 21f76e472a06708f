// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.request;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.s390.abi.Arcb;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;

/**
 * Secure Execution attestation requests in the ARCB v1 form. The request owner (the verifier)
 * {@link #create creates} one: a fresh 64-byte measurement key and optional nonce, encrypted under a
 * random request protection key that is wrapped once per host key through ECDH with a one-time
 * P-521 key of the owner's. An ultravisor holding one of those host keys {@link #open opens} it.
 */
public final class AttestationRequest {
    private AttestationRequest() {
    }

    /** What the owner sends (the ARCB) and keeps (the measurement key and nonce). */
    public record Sealed(byte[] arcb, byte[] measurementKey, Optional<Bytes> nonce) {
        @Override
        public String toString() {
            return "Sealed[arcb=" + arcb.length + " bytes, measurementKey=<secret>, nonce=" + nonce.map(Bytes::hex).orElse("none") + "]";
        }
    }

    /** What the ultravisor finds inside. */
    public record Opened(byte[] measurementKey, Optional<Bytes> nonce) {
        @Override
        public String toString() {
            return "Opened[measurementKey=<secret>, nonce=" + nonce.map(Bytes::hex).orElse("none") + "]";
        }
    }

    public static Sealed create(List<PublicKey> hostKeys, Optional<Bytes> nonce, SecureRandom random) {
        if (hostKeys.isEmpty() || hostKeys.size() > 255) {
            throw AttestationException.invalid("host keys", hostKeys.size() + "; a request takes 1..255");
        }
        nonce.ifPresent(n -> n.checkLength("nonce", Arcb.NONCE_SIZE));
        byte[] measurementKey = new byte[Arcb.MEASUREMENT_KEY_SIZE];
        byte[] protectionKey = new byte[32];
        byte[] iv = new byte[Arcb.IV_SIZE];
        random.nextBytes(measurementKey);
        random.nextBytes(protectionKey);
        random.nextBytes(iv);
        KeyPair customer = oneTimeKey(random);
        try {
            List<Arcb.KeySlot> slots = new ArrayList<>();
            for (PublicKey host : hostKeys) {
                byte[] wrapped = RequestKeys.wrap(RequestKeys.exchangeKey(customer.getPrivate(), host), protectionKey);
                slots.add(new Arcb.KeySlot(RequestKeys.hostKeyHash(host), Bytes.of(wrapped, 0, 32), Bytes.of(wrapped, 32, 16)));
            }
            long flags = nonce.isPresent() ? Arcb.FLAG_NONCE : 0;
            byte[] plain = nonce.map(n -> concat(measurementKey, n.toArray())).orElse(measurementKey.clone());
            // the tag authenticates the header, key and slots; build them first with a placeholder area
            Arcb unsealed = new Arcb(Bytes.of(iv), flags, Arcb.HMAC_SHA512, RequestKeys.coordinates(customer.getPublic()), slots,
                    Bytes.zeros(plain.length), Bytes.zeros(Arcb.TAG_SIZE));
            byte[] sealed = RequestKeys.gcm(Cipher.ENCRYPT_MODE, protectionKey, iv, Arrays.copyOf(unsealed.encode(), unsealed.authenticatedLength()), plain);
            Arrays.fill(plain, (byte) 0);
            Arcb arcb = new Arcb(Bytes.of(iv), flags, Arcb.HMAC_SHA512, unsealed.customerKey(), slots, Bytes.of(sealed, 0, plain.length),
                    Bytes.of(sealed, plain.length, Arcb.TAG_SIZE));
            return new Sealed(arcb.encode(), measurementKey, nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is mandatory in every JDK", e);
        } finally {
            Arrays.fill(protectionKey, (byte) 0);
        }
    }

    /** Opens a request with a host's key pair; fails with the reason when it was not made for this host or was changed. */
    public static Opened open(byte[] request, KeyPair host) {
        Arcb arcb = Arcb.parse(request);
        Bytes mine = RequestKeys.hostKeyHash(host.getPublic());
        Arcb.KeySlot slot = arcb.keySlots().stream().filter(s -> s.hostKeyHash().equals(mine)).findFirst()
                .orElseThrow(() -> AttestationException.invalid("ARCB", "not sealed for this ultravisor: no key slot names its host key"));
        byte[] protectionKey;
        try {
            protectionKey = RequestKeys.unwrap(RequestKeys.exchangeKey(host.getPrivate(), RequestKeys.publicKey(arcb.customerKey())),
                    concat(slot.wrappedKey().toArray(), slot.tag().toArray()));
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("ARCB key slot", "does not open with this host's key");
        }
        try {
            byte[] plain = RequestKeys.gcm(Cipher.DECRYPT_MODE, protectionKey, arcb.iv().toArray(), Arrays.copyOf(request, arcb.authenticatedLength()),
                    concat(arcb.encrypted().toArray(), arcb.tag().toArray()));
            Optional<Bytes> nonce = arcb.hasNonce() ? Optional.of(Bytes.of(plain, Arcb.MEASUREMENT_KEY_SIZE, Arcb.NONCE_SIZE)) : Optional.empty();
            byte[] key = Arrays.copyOf(plain, Arcb.MEASUREMENT_KEY_SIZE);
            Arrays.fill(plain, (byte) 0);
            return new Opened(key, nonce);
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("ARCB", "the encrypted area does not authenticate: the request was changed");
        } finally {
            Arrays.fill(protectionKey, (byte) 0);
        }
    }

    private static KeyPair oneTimeKey(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp521r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-521 is mandatory in every JDK", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
