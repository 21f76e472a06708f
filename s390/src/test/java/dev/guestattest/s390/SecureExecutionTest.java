// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.abi.UltravisorAttest;
import dev.guestattest.s390.emulator.EmulatedUltravisor;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import dev.guestattest.s390.request.AttestationRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecureExecutionTest {
    private static Bytes hex(JsonNode v, String field) {
        JsonNode n = v.get(field);
        return n == null || n.isNull() ? Bytes.EMPTY : Bytes.of(HexFormat.of().parseHex(n.asText()));
    }

    @Test
    void theFourS390ToolsVectorsGiveTheirHmac() throws Exception {
        JsonNode vectors = new ObjectMapper().readTree(Vectors.read("ibm-se/measurement_hmac.derived.json")).get("vectors");
        assertThat(vectors).hasSize(4);
        for (JsonNode v : vectors) {
            SecureExecutionMeasurement m = new SecureExecutionMeasurement(new SecureExecutionMeasurement.ImageHeader(hex(v, "pld"), hex(v, "ald"), hex(v, "tld"), hex(v, "se_header_tag")),
                    hex(v, "config_uid"), hex(v, "user_data"), v.hasNonNull("nonce") ? Optional.of(hex(v, "nonce")) : Optional.empty(),
                    hex(v, "additional_data"));
            byte[] key = hex(v, "measurement_key").toArray();
            assertThat(m.compute(key).hex()).as(v.get("name").asText()).isEqualTo(v.get("expected_hmac_sha512").asText());
            assertThat(m.matches(key, hex(v, "expected_hmac_sha512"))).isTrue();
        }
    }

    @Test
    void theEmulatedUltravisorMeasuresWhatTheRequestOwnerCanRecompute() {
        SecureRandom random = new SecureRandom();
        SecureExecutionMeasurement.ImageHeader image = new SecureExecutionMeasurement.ImageHeader(Bytes.of(new byte[64]), Bytes.of(new byte[64]), Bytes.of(new byte[64]),
                Bytes.of(new byte[16]));
        Bytes cuid = Bytes.fromHex("cuid", "0102030405060708090a0b0c0d0e0f10");
        EmulatedUltravisor uv = new EmulatedUltravisor(EmulatedUltravisor.newHostKey(random), image, cuid);
        Bytes nonce = Bytes.fromHex("nonce", "aa".repeat(16));
        AttestationRequest.Sealed req = AttestationRequest.create(List.of(uv.hostPublicKey()), Optional.of(nonce), random);
        Bytes userData = Bytes.of("guest says hi".getBytes());
        EmulatedUltravisor.Response resp = uv.attest(req.arcb(), userData);
        SecureExecutionMeasurement expected = new SecureExecutionMeasurement(image, cuid, userData, Optional.of(nonce), resp.additionalData());
        assertThat(expected.matches(req.measurementKey(), resp.measurement())).isTrue();
        // other user data, another nonce or another image does not match
        assertThat(new SecureExecutionMeasurement(image, cuid, Bytes.of("other".getBytes()), Optional.of(nonce), Bytes.EMPTY)
                .matches(req.measurementKey(), resp.measurement())).isFalse();
        assertThat(new SecureExecutionMeasurement(image, cuid, userData, Optional.of(Bytes.zeros(16)), Bytes.EMPTY)
                .matches(req.measurementKey(), resp.measurement())).isFalse();
        // a request for another host, or a tampered one, is refused
        EmulatedUltravisor other = new EmulatedUltravisor(EmulatedUltravisor.newHostKey(random), image, cuid);
        assertThatThrownBy(() -> other.attest(req.arcb(), userData)).hasMessageContaining("not sealed for this ultravisor");
        byte[] bent = req.arcb().clone();
        bent[bent.length - 1] ^= 1;
        assertThatThrownBy(() -> uv.attest(bent, userData)).hasMessageStartingWith("emulated ultravisor:");
        byte[] shortened = java.util.Arrays.copyOf(req.arcb(), 20);
        assertThatThrownBy(() -> uv.attest(shortened, userData)).hasMessageStartingWith("emulated ultravisor:");
    }

    @Test
    void theUvioStructuresHaveTheKernelsLayout() {
        byte[] a = UltravisorAttest.attest(0x1000, 300, 0x2000, 0x3000, 64, Bytes.fromHex("u", "0102"));
        ByteBuffer b = ByteBuffer.wrap(a);
        assertThat(a).hasSize(0x138);
        assertThat(b.getLong(0x00)).isEqualTo(0x1000);
        assertThat(b.getLong(0x08)).isEqualTo(0x2000);
        assertThat(b.getLong(0x10)).isEqualTo(0x3000);
        assertThat(b.get(0x18)).isEqualTo((byte) 1);
        assertThat(b.getInt(0x128)).isEqualTo(300);
        assertThat(b.getInt(0x12C)).isEqualTo(64);
        assertThat(b.getInt(0x130)).isEqualTo(64);
        assertThat(b.getShort(0x134)).isEqualTo((short) 2);
        assertThat(UltravisorAttest.UVIO_IOCTL_ATT).isEqualTo(0xC0407501L);
        byte[] cb = UltravisorAttest.controlBlock(0x4000);
        assertThat(cb).hasSize(0x40);
        assertThat(ByteBuffer.wrap(cb).getInt(0x10)).isEqualTo(0x138);
        ByteBuffer.wrap(cb).putShort(0x04, (short) 0x0102).putShort(0x06, (short) 3);
        assertThat(UltravisorAttest.result(cb).ok()).isFalse();
        assertThat(UltravisorAttest.result(cb).explain()).startsWith("UV rc 0x0102 rrc 0x0003");
        assertThatThrownBy(() -> UltravisorAttest.attest(1, 0, 2, 3, 0, Bytes.EMPTY)).hasMessageStartingWith("ARCB: 0 bytes");
        assertThatThrownBy(() -> UltravisorAttest.attest(1, 10, 2, 3, 0, Bytes.of(new byte[257]))).hasMessage("user data: 257 bytes exceeds the limit of 256 bytes");
    }

    @Test
    void theEmulatedProviderCarriesUserDataAsInblobAndTheRequestAsASetting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path state)
            throws Exception {
        dev.guestattest.core.ProviderContext ctx = dev.guestattest.core.ProviderContext.defaults().withStateDir(state);
        dev.guestattest.s390.emulator.S390EmulatedProvider p = dev.guestattest.s390.emulator.S390EmulatedProvider.open(ctx);
        Bytes nonce = Bytes.fromHex("n", "5a".repeat(16));
        AttestationRequest.Sealed req = AttestationRequest.create(List.of(p.ultravisor().hostPublicKey()), Optional.of(nonce), new SecureRandom());
        java.nio.file.Path arcb = java.nio.file.Files.write(state.resolve("my.arcb"), req.arcb());
        try (dev.guestattest.core.ProviderSession s = dev.guestattest.core.ProviderSession.open(Optional.of("s390/emulated"),
                ctx.withSetting("s390.arcb", arcb.toString()))) {
            byte[] out = s.report(dev.guestattest.core.ReportRequest.of("hello SE".getBytes())).outblob().toArray();
            JsonNode r = new ObjectMapper().readTree(out);
            SecureExecutionMeasurement m = new SecureExecutionMeasurement(p.ultravisor().image(), Bytes.fromHex("cuid", r.get("config_uid").asText()),
                    Bytes.of("hello SE".getBytes()), Optional.of(nonce), Bytes.EMPTY);
            assertThat(m.matches(req.measurementKey(), Bytes.fromHex("m", r.get("measurement").asText()))).isTrue();
            var common = dev.guestattest.s390.abi.AttestationResponse.fromJson(out).common(p.ultravisor().image());
            assertThat(common.tee()).isEqualTo("s390");
            assertThat(common.reportData()).isEqualTo(Bytes.of("hello SE".getBytes()));
            assertThat(common.initialMeasurement()).contains(p.ultravisor().image().tag());
            assertThat(common.runtimeRegisters()).isEmpty();
        }
        try (dev.guestattest.core.ProviderSession s = dev.guestattest.core.ProviderSession.open(Optional.of("s390/emulated"),
                ctx.withSetting("s390.arcb", state.resolve("absent").toString()))) {
            assertThatThrownBy(() -> s.report(dev.guestattest.core.ReportRequest.of(new byte[] {1})))
                    .hasMessageContaining("s390.arcb").hasMessageContaining("is not an attestation request file");
        }
    }
}
