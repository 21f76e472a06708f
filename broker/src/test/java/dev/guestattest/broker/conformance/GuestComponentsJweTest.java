// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import dev.guestattest.broker.rcar.TeeKey;
import dev.guestattest.broker.wire.Jwe;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;
import java.util.Iterator;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The broker's resource JWEs opened the way a guest-components guest opens them, written from its
 * source, not from ours: guest-components 8246e5e0 {@code attestation-agent/kbs_protocol/src/keypair.rs}
 * ({@code TeeKeyPair::decrypt_response}: the AAD is {@code ProtectedHeader::generate_aad()}, the
 * base64url of serde_json's re-serialization of the parsed header, not the received string; AES-256-GCM
 * always), {@code attestation-agent/deps/crypto/src/rust/ec.rs} (ECDH-ES+A256KW: Concat KDF with
 * SHA-256, AlgorithmID "ECDH-ES+A256KW", empty PartyUInfo/PartyVInfo, 256 bits, then AES key unwrap)
 * and {@code rsa.rs} (RSA-OAEP with SHA-256); kbs-types 900aa8f {@code src/lib.rs} ({@code
 * ProtectedHeader}: {@code alg}, {@code enc}, then the other members flattened from a serde_json
 * {@code Map}, key-ordered). The opening below uses only the JDK.
 */
class GuestComponentsJweTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SECRET = "a disk key that must arrive intact".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp521r1"})
    void anEcReleaseOpensWithTheAadAGuestRebuilds(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair guest = g.generateKeyPair();
        String jwe = TeeKey.parse(ecJwk((ECPublicKey) guest.getPublic())).wrap(SECRET);

        assertThat(openAsGuestComponents(jwe, guest.getPrivate())).isEqualTo(SECRET);
        assertThat(rebuiltAad(Jwe.parse(jwe).protectedHeader())).isEqualTo(Jwe.parse(jwe).protectedHeader());
    }

    @Test
    void anRsaReleaseOpensWithTheAadAGuestRebuilds() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair guest = g.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) guest.getPublic();
        ObjectNode jwk = JSON.createObjectNode().put("kty", "RSA").put("alg", "RSA-OAEP-256").put("n", b64u(unsigned(pub.getModulus())))
                .put("e", b64u(unsigned(pub.getPublicExponent())));
        String jwe = TeeKey.parse(jwk).wrap(SECRET);

        assertThat(openAsGuestComponents(jwe, guest.getPrivate())).isEqualTo(SECRET);
        assertThat(Jwe.parse(jwe).protectedHeader()).isEqualTo(b64u("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}".getBytes(StandardCharsets.UTF_8)));
    }

    /** The opening can fail: a JWE with nimbus's own header order (what the broker sent before) does not open on the guest. */
    @Test
    void nimbusHeaderOrderDoesNotOpenOnTheGuest() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair guest = g.generateKeyPair();
        JWEObject o = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM).build(), new Payload(SECRET));
        o.encrypt(new ECDHEncrypter(ECKey.parse(ecJwk((ECPublicKey) guest.getPublic()).toString())));
        String jwe = Jwe.flatten(o.serialize());
        assertThatThrownBy(() -> openAsGuestComponents(jwe, guest.getPrivate())).isInstanceOf(javax.crypto.AEADBadTagException.class);
    }

    // --- the guest's side, from guest-components' source ---

    static byte[] openAsGuestComponents(String flattened, PrivateKey key) throws Exception {
        JsonNode jwe = JSON.readTree(flattened);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(jwe.get("protected").asText()));
        byte[] aad = rebuiltAad(jwe.get("protected").asText()).getBytes(StandardCharsets.US_ASCII);
        byte[] encryptedKey = Base64.getUrlDecoder().decode(jwe.get("encrypted_key").asText());
        SecretKey cek;
        switch (header.get("alg").asText()) {
            case "ECDH-ES+A256KW" -> {
                JsonNode epk = header.get("epk");
                KeyAgreement ka = KeyAgreement.getInstance("ECDH");
                ka.init(key);
                ka.doPhase(ecPublic(epk, ((java.security.interfaces.ECPrivateKey) key).getParams()), true);
                byte[] kek = concatKdf(ka.generateSecret(), "ECDH-ES+A256KW", 256);
                Cipher unwrap = Cipher.getInstance("AESWrap");
                unwrap.init(Cipher.UNWRAP_MODE, new SecretKeySpec(kek, "AES"));
                cek = (SecretKey) unwrap.unwrap(encryptedKey, "AES", Cipher.SECRET_KEY);
            }
            case "RSA-OAEP-256" -> {
                Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
                oaep.init(Cipher.DECRYPT_MODE, key, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
                cek = new SecretKeySpec(oaep.doFinal(encryptedKey), "AES");
            }
            default -> throw new AssertionError("guest-components opens no " + header.get("alg"));
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, cek, new GCMParameterSpec(128, Base64.getUrlDecoder().decode(jwe.get("iv").asText())));
        gcm.updateAAD(aad);
        gcm.update(Base64.getUrlDecoder().decode(jwe.get("ciphertext").asText()));
        return gcm.doFinal(Base64.getUrlDecoder().decode(jwe.get("tag").asText()));
    }

    /** {@code generate_aad}: serde's {@code alg}, {@code enc}, then the rest of the members in key order (a BTreeMap), compact, base64url. */
    static String rebuiltAad(String protectedB64) throws Exception {
        JsonNode h = JSON.readTree(Base64.getUrlDecoder().decode(protectedB64));
        ObjectNode out = JSON.createObjectNode().put("alg", h.get("alg").asText()).put("enc", h.get("enc").asText());
        TreeMap<String, JsonNode> rest = new TreeMap<>();
        h.fields().forEachRemaining(e -> rest.put(e.getKey(), e.getValue()));
        rest.remove("alg");
        rest.remove("enc");
        rest.forEach((k, v) -> out.set(k, keyOrdered(v)));
        return b64u(JSON.writeValueAsBytes(out));
    }

    private static JsonNode keyOrdered(JsonNode n) {
        if (!n.isObject()) {
            return n;
        }
        TreeMap<String, JsonNode> m = new TreeMap<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            m.put(k, keyOrdered(n.get(k)));
        }
        ObjectNode o = JSON.createObjectNode();
        m.forEach(o::set);
        return o;
    }

    /** RFC 7518 §4.6.2: one round of SHA-256 over counter, Z, AlgorithmID, empty PartyUInfo and PartyVInfo, SuppPubInfo (key bits). */
    private static byte[] concatKdf(byte[] z, String algorithmId, int bits) throws Exception {
        byte[] alg = algorithmId.getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ByteBuffer.allocate(4).putInt(1).array());
        sha.update(z);
        sha.update(ByteBuffer.allocate(4).putInt(alg.length).array());
        sha.update(alg);
        sha.update(new byte[8]);
        sha.update(ByteBuffer.allocate(4).putInt(bits).array());
        return java.util.Arrays.copyOf(sha.digest(), bits / 8);
    }

    private static java.security.PublicKey ecPublic(JsonNode epk, java.security.spec.ECParameterSpec params) throws Exception {
        BigInteger x = new BigInteger(1, Base64.getUrlDecoder().decode(epk.get("x").asText()));
        BigInteger y = new BigInteger(1, Base64.getUrlDecoder().decode(epk.get("y").asText()));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), params));
    }

    /** The guest's TEE key as keypair.rs sends it: {@code {"kty":"EC","crv","alg":"ECDH-ES+A256KW","x","y"}}. */
    static ObjectNode ecJwk(ECPublicKey pub) {
        int size = (pub.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        String crv = size == 32 ? "P-256" : size == 48 ? "P-384" : "P-521";
        return JSON.createObjectNode().put("kty", "EC").put("crv", crv).put("alg", "ECDH-ES+A256KW")
                .put("x", b64u(fixed(pub.getW().getAffineX(), size))).put("y", b64u(fixed(pub.getW().getAffineY(), size)));
    }

    private static byte[] fixed(BigInteger v, int size) {
        byte[] b = unsigned(v);
        byte[] out = new byte[size];
        System.arraycopy(b, 0, out, size - b.length, b.length);
        return out;
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static String b64u(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
