// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.TpmTee;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import dev.guestattest.tpm.testing.Swtpm;
import dev.guestattest.tpm.verify.TpmEvidenceVerifier;
import dev.guestattest.tpm.verify.TpmVerifier;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TPM evidence in guest-components' form. The golden input is trustee 78962cd4
 * {@code deps/verifier/test_data/tpm_evidence.json} (Apache-2.0): a real TPM's RSASSA quote over the
 * SHA-256 bank with the AK as a DER public key. Its quote must verify with that key; but a key the
 * guest sends is never what makes it trusted.
 */
class TpmTrusteeEvidenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TpmTrusteeEvidence shape = new TpmTrusteeEvidence();

    @TempDir
    Path tmp;

    static JsonNode trustee() throws Exception {
        try (InputStream in = TpmTrusteeEvidenceTest.class.getResourceAsStream("/trustee/tpm_evidence.json")) {
            return JSON.readTree(in);
        }
    }

    private static Bytes spki(JsonNode n) {
        return Bytes.of(Base64.getDecoder().decode(n.get("ak_public").asText()));
    }

    @Test
    void trusteesEvidenceReadsAndItsQuoteVerifiesWithItsAkOnceThatAkIsPinned() throws Exception {
        JsonNode golden = trustee();
        Evidence e = shape.read(golden);
        assertThat(e.format()).contains("tpm");
        assertThat(e.aux()).isEmpty();
        TpmEvidence t = TpmEvidence.fromJson(e.bytes().toArray());
        assertThat(t.bank()).isEqualTo(HashAlgorithm.SHA256);
        assertThat(t.pcrs()).hasSize(24);
        assertThat(t.akPublic()).isEqualTo(spki(golden));
        // pinned as Trustee's trusted_ak pins it: the same public key
        VerificationResult v = TpmVerifier.verify(t, Optional.of(spki(golden)), List.of(), Instant.now());
        assertThat(v.failures()).isEmpty();
        assertThat(v.check("quote.signature").orElseThrow().detail()).startsWith("signed by the AK (RSASSA)")
                .contains("carries only its public key");
        assertThat(v.check("ak.pinned").orElseThrow().detail()).contains("rests on the pin");
        // and through the appraiser's verifier, the pin being the verifier's aux part
        var appraised = new TpmEvidenceVerifier().verify(new Evidence(e.format(), e.bytes(), Map.of("ak", spki(golden))), Instant.now(),
                List.of());
        assertThat(appraised.result().failures()).isEmpty();
        assertThat(appraised.claims().orElseThrow().reportData()).isEqualTo(TpmAttest.parse(t.attest().toArray()).extraData());
        assertThat(appraised.claims().orElseThrow().initDataField().orElseThrow().name()).isEqualTo("pcr8");
    }

    /** The attack: the guest's own ak_public is not a trust anchor; unpinned, even a genuine quote is not trusted. */
    @Test
    void theGuestsAkIsNeverTrustedOnItsOwn() throws Exception {
        Evidence e = shape.read(trustee());
        var unpinned = new TpmEvidenceVerifier().verify(e, Instant.now(), List.of());
        assertThat(unpinned.result().trusted()).isFalse();
        assertThat(unpinned.result().failures()).extracting(Check::name).containsExactly("ak.pinned");
        assertThat(unpinned.claims()).isEmpty();
        // and the guest cannot supply the pin: 'ak' is an aux part only the verifier's configuration gives
        assertThat(new TpmTee().verifierAux()).contains("ak");
    }

    /** The attack: a software key re-signs the genuine quote and the evidence names that key; the pin of the real AK refuses it. */
    @Test
    void aQuoteResignedByTheGuestsOwnKeyFailsThePin() throws Exception {
        JsonNode golden = trustee();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair forger = g.generateKeyPair();
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(forger.getPrivate());
        byte[] message = Base64.getDecoder().decode(golden.get("tpm_quote").get("message").asText());
        s.update(message);
        byte[] sig = new TpmSignature(Tpm2.ALG_RSASSA, Tpm2.ALG_SHA256, Bytes.of(s.sign()), Bytes.EMPTY).encode();
        ObjectNode forged = golden.deepCopy();
        ((ObjectNode) forged.get("tpm_quote")).put("signature", Base64.getEncoder().encodeToString(sig));
        forged.put("ak_public", Base64.getEncoder().encodeToString(forger.getPublic().getEncoded()));
        TpmEvidence t = TpmEvidence.fromJson(shape.read(forged).bytes().toArray());
        VerificationResult unpinned = TpmVerifier.verify(t, Optional.empty(), List.of(), Instant.now());
        assertThat(unpinned.check("quote.signature").orElseThrow().passed()).as("well-formed: only the signer is wrong").isTrue();
        assertThat(unpinned.failures()).extracting(Check::name).containsExactly("ak.pinned");
        assertThat(TpmVerifier.verify(t, Optional.of(spki(golden)), List.of(), Instant.now()).failures()).extracting(Check::name)
                .containsExactly("ak.pinned");
    }

    @Test
    void writingGivesBackWhatSerdeWrote() throws Exception {
        JsonNode golden = trustee();
        // serde writes the struct order: tpm_quote {signature, message, pcrs}, then ak_public (the file is in another order)
        ObjectNode expected = JSON.createObjectNode();
        ObjectNode q = expected.putObject("tpm_quote");
        q.set("signature", golden.get("tpm_quote").get("signature"));
        q.set("message", golden.get("tpm_quote").get("message"));
        q.set("pcrs", golden.get("tpm_quote").get("pcrs"));
        expected.set("ak_public", golden.get("ak_public"));
        JsonNode written = shape.write(shape.read(golden));
        assertThat(JSON.writeValueAsString(written)).isEqualTo(JSON.writeValueAsString(expected));
        Evidence e = shape.read(golden);
        assertThat(shape.read(shape.write(e))).isEqualTo(e);
    }

    @Test
    void malformedFieldsAreRefusedByName() throws Exception {
        JsonNode golden = trustee();
        assertRefused(with(golden, "tpm_quote", "signature", "not base64!"), "tpm_quote.signature");
        assertRefused(with(golden, "tpm_quote", "signature", Base64.getEncoder().encodeToString(new byte[] {0, 0x14})),
                "tpm_quote.signature", "TPMT_SIGNATURE");
        byte[] ecdsa = new TpmSignature(Tpm2.ALG_ECDSA, Tpm2.ALG_SHA256, Bytes.zeros(32), Bytes.zeros(32)).encode();
        assertRefused(with(golden, "tpm_quote", "signature", Base64.getEncoder().encodeToString(ecdsa)), "tpm_quote.signature", "RSASSA");
        assertRefused(with(golden, "tpm_quote", "message", Base64.getEncoder().encodeToString(new byte[40])), "tpm_quote.message");
        ObjectNode short23 = golden.deepCopy();
        ((ArrayNode) short23.get("tpm_quote").get("pcrs")).remove(23);
        assertRefused(short23, "tpm_quote.pcrs", "24 PCRs");
        ObjectNode upper = golden.deepCopy();
        ((ArrayNode) upper.get("tpm_quote").get("pcrs")).set(3, JSON.getNodeFactory().textNode("AB".repeat(32)));
        assertRefused(upper, "tpm_quote.pcrs[3]", "lowercase");
        ObjectNode shortPcr = golden.deepCopy();
        ((ArrayNode) shortPcr.get("tpm_quote").get("pcrs")).set(5, JSON.getNodeFactory().textNode("00"));
        assertRefused(shortPcr, "tpm_quote.pcrs[5]");
        ObjectNode badAk = golden.deepCopy();
        badAk.put("ak_public", Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 1, 2, 3}));
        assertRefused(badAk, "primary_evidence.ak_public", "SubjectPublicKeyInfo");
        ObjectNode noAk = golden.deepCopy();
        noAk.remove("ak_public");
        assertRefused(noAk, "primary_evidence.ak_public", "missing");
        assertRefused(JSON.readTree("{\"tpm_quote\": []}"), "primary_evidence.tpm_quote");
        assertRefused(JSON.readTree("[]"), "tee-evidence.primary_evidence");
    }

    @Test
    void reportDataIsTheDigestResizedTo32Bytes() {
        Bytes sha384 = Bytes.of(IntStream.range(0, 48).map(i -> i + 1).collect(java.io.ByteArrayOutputStream::new,
                (o, i) -> o.write(i), (a, b) -> a.writeBytes(b.toByteArray())).toByteArray());
        assertThat(shape.reportData(sha384)).isEqualTo(Bytes.of(sha384.toArray(), 0, 32));
        assertThat(shape.reportData(Bytes.fromHex("d", "0102"))).isEqualTo(Bytes.of(java.util.Arrays.copyOf(new byte[] {1, 2}, 32)));
        assertThat(new TpmTee().trusteeEvidence().orElseThrow().reportData(sha384).length()).isEqualTo(32);
    }

    @Test
    void evidenceTheAttesterCouldNotHaveMadeIsRefusedNotDropped() throws Exception {
        TpmEvidence t = TpmEvidence.fromJson(shape.read(trustee()).bytes().toArray());
        assertThatThrownBy(() -> shape.write(new Evidence(Optional.of("tpm"), Bytes.of(new TpmEvidence(t.attest(), t.signature(), t.akPublic(),
                t.bank(), t.pcrs(), Optional.of(Bytes.of(new byte[] {1}))).toJson()), Map.of()))).hasMessageContaining("ek_certificate");
        var fewer = new java.util.TreeMap<>(t.pcrs());
        fewer.remove(23);
        assertThatThrownBy(() -> shape.write(new Evidence(Optional.of("tpm"), Bytes.of(new TpmEvidence(t.attest(), t.signature(), t.akPublic(),
                t.bank(), fewer, Optional.empty()).toJson()), Map.of()))).hasMessageContaining("pcrs");
        assertThatThrownBy(() -> shape.write(new Evidence(Optional.of("tpm"), Bytes.of(t.toJson()), Map.of("eventlog.tcg2", Bytes.zeros(1)))))
                .hasMessageContaining("eventlog.tcg2").hasMessageContaining("no place");
    }

    /**
     * A real TPM (swtpm) with guest-components' kind of AK (RSA, restricted) quoting all 24 PCRs:
     * this project's evidence goes out in guest-components' shape, with the AK's TPMT_PUBLIC reduced
     * to its public key, and comes back verifiable against the pinned TPMT_PUBLIC, whose attributes
     * stand for the bare key's. The attack: a verifier that pinned an unrestricted area for that key
     * (a key that could TPM2_Sign a forged TPMS_ATTEST) refuses the quote.
     */
    @Test
    void aRealTpmsQuoteRoundTripsAndThePinnedAreasAttributesApply() throws Exception {
        try (Swtpm swtpm = Swtpm.start(tmp.resolve("swtpm"))) {
            Tpm.Key ak;
            Tpm.Quoted q;
            Map<Integer, Bytes> values;
            PcrSelection all = new PcrSelection(Tpm2.ALG_SHA256, new TreeSet<>(IntStream.range(0, 24).boxed().toList()));
            Bytes nonce = shape.reportData(Bytes.of(HashAlgorithm.SHA384.hash("runtime data".getBytes())));
            try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", swtpm.port(), Duration.ofSeconds(5)))) {
                ak = tpm.createPrimary(Tpm2.RH_OWNER, TpmPublic.rsaAttestationKeyTemplate());
                try {
                    q = tpm.quote(ak.handle(), nonce, all);
                    values = tpm.pcrRead(all);
                } finally {
                    tpm.flush(ak.handle());
                }
            }
            Bytes area = ak.publicArea().encoded();
            TpmEvidence nativeEvidence = new TpmEvidence(q.attest(), Bytes.of(q.signature().encode()), area, HashAlgorithm.SHA256, values,
                    Optional.empty());
            JsonNode sent = shape.write(new Evidence(Optional.of("tpm"), Bytes.of(nativeEvidence.toJson()), Map.of()));
            assertThat(Base64.getDecoder().decode(sent.get("ak_public").asText())).isEqualTo(ak.publicArea().key().getEncoded());
            TpmEvidence back = TpmEvidence.fromJson(shape.read(sent).bytes().toArray());
            assertThat(TpmAttest.parse(back.attest().toArray()).extraData()).isEqualTo(nonce);
            VerificationResult v = TpmVerifier.verify(back, Optional.of(area), List.of(), Instant.now());
            assertThat(v.failures()).isEmpty();
            assertThat(v.check("ak.pinned").orElseThrow().detail()).contains("the pinned TPMT_PUBLIC's");
            assertThat(v.check("quote.signature").orElseThrow().detail()).isEqualTo("signed by the AK (RSASSA)");
            // the native evidence, pinned by the same area, verifies too
            assertThat(TpmVerifier.verify(nativeEvidence, Optional.of(area), List.of(), Instant.now()).failures()).isEmpty();
            // the same key pinned in an unrestricted area
            byte[] unrestricted = area.toArray().clone();
            unrestricted[5] &= ~0x01; // objectAttributes (bytes 4..7, big-endian): clear restricted (0x00010000)
            assertThat(TpmPublic.parse(unrestricted).attributes() & 0x10000).isZero();
            assertThat(TpmVerifier.verify(back, Optional.of(Bytes.of(unrestricted)), List.of(), Instant.now()).failures())
                    .singleElement().satisfies(c -> {
                        assertThat(c.name()).isEqualTo("quote.signature");
                        assertThat(c.detail()).contains("not restricted");
                    });
            // and another key's area is not the pin
            assertThat(TpmVerifier.verify(back, Optional.of(dev.guestattest.tpm.testing.SoftwareAk.generate().publicArea()), List.of(),
                    Instant.now()).failures()).extracting(Check::name).containsExactly("ak.pinned");
        }
    }

    private static JsonNode with(JsonNode golden, String object, String field, String value) {
        ObjectNode copy = golden.deepCopy();
        ((ObjectNode) copy.get(object)).put(field, value);
        return copy;
    }

    private void assertRefused(JsonNode n, String... contains) {
        var a = assertThatThrownBy(() -> shape.read(n)).isInstanceOf(AttestationException.class);
        for (String c : contains) {
            a.hasMessageContaining(c);
        }
    }
}
