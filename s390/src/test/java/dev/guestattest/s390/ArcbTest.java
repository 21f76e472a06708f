// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.s390.abi.Arcb;
import dev.guestattest.s390.emulator.EmulatedUltravisor;
import dev.guestattest.s390.request.AttestationRequest;
import dev.guestattest.s390.request.RequestKeys;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArcbTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyPair HOST = EmulatedUltravisor.newHostKey(RANDOM);
    private static final KeyPair HOST2 = EmulatedUltravisor.newHostKey(RANDOM);
    private static final Bytes NONCE = Bytes.fromHex("nonce", "5a".repeat(16));

    @Test
    void theRequestHasTheV1LayoutAndRoundTripsByteForByte() throws Exception {
        AttestationRequest.Sealed s = AttestationRequest.create(List.of(HOST.getPublic(), HOST2.getPublic()), Optional.of(NONCE), RANDOM);
        byte[] a = s.arcb();
        ByteBuffer b = ByteBuffer.wrap(a);
        assertThat(Arrays.copyOf(a, 8)).isEqualTo(new byte[8]);
        assertThat(b.getInt(0x08)).isEqualTo(0x0100);
        assertThat(b.getInt(0x0C)).isEqualTo(a.length).isEqualTo(0x40 + 160 + 2 * 80 + 80 + 16);
        assertThat(a[0x27]).isEqualTo((byte) 2);
        assertThat(b.getInt(0x2C)).isEqualTo(80);
        assertThat(b.getLong(0x30)).isEqualTo(0x4000000000000000L);
        assertThat(b.getInt(0x38)).isEqualTo(1);
        byte[] hostHash = MessageDigest.getInstance("SHA-256").digest(RequestKeys.coordinates(HOST.getPublic()).toArray());
        assertThat(Arrays.copyOfRange(a, 0xE0, 0xE0 + 32)).isEqualTo(hostHash);
        Arcb parsed = Arcb.parse(a);
        assertThat(parsed.encode()).isEqualTo(a);
        assertThat(parsed.keySlots()).hasSize(2);
        assertThat(parsed.hasNonce()).isTrue();
        assertThat(s.toString()).doesNotContain(Bytes.of(s.measurementKey()).hex()).contains("<secret>");
        // either host opens it and finds the same key and nonce
        for (KeyPair host : List.of(HOST, HOST2)) {
            AttestationRequest.Opened o = AttestationRequest.open(a, host);
            assertThat(o.measurementKey()).isEqualTo(s.measurementKey());
            assertThat(o.nonce()).contains(NONCE);
        }
        AttestationRequest.Sealed plain = AttestationRequest.create(List.of(HOST.getPublic()), Optional.empty(), RANDOM);
        assertThat(ByteBuffer.wrap(plain.arcb()).getLong(0x30)).isZero();
        assertThat(AttestationRequest.open(plain.arcb(), HOST).nonce()).isEmpty();
    }

    @Test
    void coordinatesAreTwoLeftPaddedEightyByteFields() {
        // a P-521 public key as s390-tools' rust/pv ec_coord test writes it (conversion_ecdh_and_vice_versa)
        Bytes ibm = Bytes.fromHex("coords", "00000000000000000000000000000176881cd84b8b6de7123c7e900edf78e7f7b684999146b1263ba8b86c8447f08ab6d"
                + "469c2b128ed9e1c35015805acd3d30233d39122f7e2f8aa1c2b147b7883b406000000000000000000000000000000c34556c25cf92f29ce66bd44114d6b7b3c"
                + "78e13a3f90bdb90040f6876e5262f778a61a937d1b34802eb257e34e0672dd5f2a347addaa282035092a70c35c2e7973");
        assertThat(RequestKeys.coordinates(RequestKeys.publicKey(ibm))).isEqualTo(ibm);
        assertThatThrownBy(() -> RequestKeys.coordinates(EmulatedUltravisorTestKeys.p256())).hasMessageContaining("P-521");
    }

    @Test
    void everySingleByteChangeIsRefusedWithAReason() {
        byte[] a = AttestationRequest.create(List.of(HOST.getPublic()), Optional.of(NONCE), RANDOM).arcb();
        for (int i = 0; i < a.length; i++) {
            byte[] bent = a.clone();
            bent[i] ^= 0x01;
            int at = i;
            assertThatThrownBy(() -> AttestationRequest.open(bent, HOST)).as("byte %d", at).isInstanceOf(AttestationException.class)
                    .hasMessageContaining("ARCB");
        }
    }

    @Test
    void malformedRequestsNameTheField() {
        byte[] a = AttestationRequest.create(List.of(HOST.getPublic()), Optional.of(NONCE), RANDOM).arcb();
        assertThatThrownBy(() -> Arcb.parse(new byte[10])).hasMessageContaining("shorter than its 64-byte header");
        assertThatThrownBy(() -> Arcb.parse(new byte[0x2001])).hasMessageContaining("exceeds the limit of 8192");
        assertThatThrownBy(() -> Arcb.parse(Arrays.copyOf(a, a.length - 1))).hasMessageContaining("ARCB length");
        byte[] v = a.clone();
        v[0x0A] = 2;
        assertThatThrownBy(() -> Arcb.parse(v)).hasMessageContaining("ARCB version").hasMessageContaining("0x0200");
        byte[] slots = a.clone();
        slots[0x27] = 5;
        assertThatThrownBy(() -> Arcb.parse(slots)).hasMessageContaining("5 key slots");
        byte[] alg = a.clone();
        alg[0x3B] = 2;
        assertThatThrownBy(() -> Arcb.parse(alg)).hasMessageContaining("measurement algorithm");
        byte[] flags = a.clone();
        flags[0x30] = 0;
        assertThatThrownBy(() -> Arcb.parse(flags)).hasMessageContaining("encrypted area").hasMessageContaining("the flags say 64");
        assertThatThrownBy(() -> AttestationRequest.open(a, HOST2)).hasMessageContaining("not sealed for this ultravisor");
        assertThatThrownBy(() -> AttestationRequest.create(List.of(), Optional.empty(), RANDOM)).hasMessageContaining("host keys");
        assertThatThrownBy(() -> AttestationRequest.create(List.of(HOST.getPublic()), Optional.of(Bytes.zeros(8)), RANDOM))
                .hasMessageContaining("nonce");
    }

    /** A key of the wrong curve. */
    static final class EmulatedUltravisorTestKeys {
        static java.security.PublicKey p256() {
            try {
                var g = java.security.KeyPairGenerator.getInstance("EC");
                g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair().getPublic();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
