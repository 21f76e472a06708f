// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca.emulator;

import dev.guestattest.core.cose.Cbor;
import dev.guestattest.core.cose.CoseSign1;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.EmulatedRegisters;
import dev.guestattest.core.state.StateLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;

/**
 * {@code cca/emulated}: a realm on an emulated RMM and platform, in {@code <state dir>/cca}: a
 * CPAK (P-384, the emulator's own trust anchor) signs the platform token, a RAK (P-384) the realm
 * token, the platform challenge is SHA-256 of the RAK claim, and REM0-3 are extendable measurement
 * registers that persist. The challenge is 32..64 bytes, zero-padded to 64, as arm_cca_guest does.
 */
public final class EmulatedRealm implements ReportProvider, MeasurementRegisters {
    public static final String NAME = "cca/emulated";
    public static final InputRules INPUT = new InputRules(32, 64, 64, false, false);
    static final Bytes RIM = Bytes.of(HashAlgorithm.SHA256.hash("GuestAttest emulated realm image".getBytes(StandardCharsets.US_ASCII)));
    static final Bytes IMPLEMENTATION_ID = Bytes.of(HashAlgorithm.SHA256.hash("GuestAttest emulated CCA platform".getBytes(StandardCharsets.US_ASCII)));
    static final Bytes PLATFORM_CONFIG = Bytes.fromHex("platform config", "cfcfcfcf");
    static final Bytes RMM_MEASUREMENT = Bytes.of(HashAlgorithm.SHA256.hash("GuestAttest emulated RMM".getBytes(StandardCharsets.US_ASCII)));
    static final Bytes RMM_SIGNER = Bytes.of(HashAlgorithm.SHA256.hash("GuestAttest emulated RMM signer".getBytes(StandardCharsets.US_ASCII)));

    private final Path dir;
    private final EmulatedRegisters registers;
    private final KeyPair cpak;
    private final KeyPair rak;

    private EmulatedRealm(Path dir, KeyPair cpak, KeyPair rak) {
        this.dir = dir;
        this.registers = registers(dir);
        this.cpak = cpak;
        this.rak = rak;
    }

    public static EmulatedRealm open(ProviderContext context) {
        Path dir = context.stateDir().resolve("cca");
        PemFiles.ensureDirectory(dir);
        return StateLock.with(dir, () -> {
            for (String name : List.of("cpak", "rak")) {
                if (!Files.exists(dir.resolve(name + ".key"))) {
                    KeyPair k = p384(context);
                    PemFiles.writePrivateKey(dir.resolve(name + ".key"), k.getPrivate());
                    PemFiles.writePublicKey(dir.resolve(name + ".pub"), k.getPublic());
                }
            }
            if (!Files.exists(dir.resolve("rems"))) {
                registers(dir).createIfAbsent();
            }
            return new EmulatedRealm(dir, load(dir, "cpak"), load(dir, "rak"));
        });
    }

    private static KeyPair load(Path dir, String name) {
        return new KeyPair(PemFiles.readPublicKey(dir.resolve(name + ".pub")), PemFiles.readPrivateKey(dir.resolve(name + ".key")));
    }

    private static KeyPair p384(ProviderContext c) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"), c.random());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The emulated platform's CPAK, the trust anchor a verifier takes. */
    public ECPublicKey cpak() {
        return (ECPublicKey) cpak.getPublic();
    }

    /** The instance ID the platform token carries: 0x01 || SHA-256(CPAK). */
    public Bytes instanceId() {
        byte[] h = HashAlgorithm.SHA256.hash(cpak.getPublic().getEncoded());
        byte[] id = new byte[33];
        id[0] = 1;
        System.arraycopy(h, 0, id, 1, 32);
        return Bytes.of(id);
    }

    public Bytes implementationId() {
        return IMPLEMENTATION_ID;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public InputRules inputRules() {
        return INPUT;
    }

    @Override
    public Optional<MeasurementRegisters> measurementRegisters() {
        return Optional.of(this);
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        byte[] rakPoint = rawPoint((ECPublicKey) rak.getPublic());
        List<Bytes> rems = rems();
        byte[] realmClaims = cbor(g -> {
            g.writeStartObject();
            g.writeFieldId(10);
            g.writeBinary(request.inblob().toArray());
            g.writeFieldId(44235);
            g.writeBinary(new byte[64]);
            g.writeFieldId(44236);
            g.writeString("sha-256");
            g.writeFieldId(44237);
            g.writeBinary(rakPoint);
            g.writeFieldId(44238);
            g.writeBinary(RIM.toArray());
            g.writeFieldId(44239);
            g.writeStartArray();
            for (Bytes r : rems) {
                g.writeBinary(r.toArray());
            }
            g.writeEndArray();
            g.writeFieldId(44240);
            g.writeString("sha-256");
            g.writeEndObject();
        });
        byte[] platformClaims = cbor(g -> {
            g.writeStartObject();
            g.writeFieldId(265);
            g.writeString("http://arm.com/CCA-SSD/1.0.0");
            g.writeFieldId(10);
            g.writeBinary(HashAlgorithm.SHA256.hash(rakPoint));
            g.writeFieldId(2396);
            g.writeBinary(IMPLEMENTATION_ID.toArray());
            g.writeFieldId(256);
            g.writeBinary(instanceId().toArray());
            g.writeFieldId(2395);
            g.writeNumber(0x3000);
            g.writeFieldId(2401);
            g.writeBinary(PLATFORM_CONFIG.toArray());
            g.writeFieldId(2399);
            g.writeStartArray();
            g.writeStartObject();
            g.writeFieldId(1);
            g.writeString("RMM");
            g.writeFieldId(2);
            g.writeBinary(RMM_MEASUREMENT.toArray());
            g.writeFieldId(5);
            g.writeBinary(RMM_SIGNER.toArray());
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        });
        byte[] realmToken = sign1(realmClaims, rak.getPrivate());
        byte[] platformToken = sign1(platformClaims, cpak.getPrivate());
        byte[] token = cbor(g -> {
            g.writeTag(399);
            g.writeStartObject();
            g.writeFieldId(44234);
            g.writeBinary(platformToken);
            g.writeFieldId(44241);
            g.writeBinary(realmToken);
            g.writeEndObject();
        });
        return ReportBlobs.of(token);
    }

    /** This realm's current state as veraison reference values (rv.json), for {@code CcaReferenceValues.fromJson}. */
    public byte[] referenceValuesJson() {
        com.fasterxml.jackson.databind.node.ObjectNode n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode p = n.putArray("platform").addObject();
        p.put("implementation-id", IMPLEMENTATION_ID.hex()).put("platform-configuration", PLATFORM_CONFIG.hex());
        p.putArray("sw-components").addObject().put("component-type", "RMM").put("measurement-value", RMM_MEASUREMENT.hex())
                .put("signer-id", RMM_SIGNER.hex());
        com.fasterxml.jackson.databind.node.ObjectNode r = n.putArray("realm").addObject();
        r.put("initial-measurement", RIM.hex()).put("personalization-value", "00".repeat(64)).put("rak-hash-algorithm", "sha-256");
        com.fasterxml.jackson.databind.node.ArrayNode rems = r.putArray("extensible-measurements");
        rems().forEach(x -> rems.add(x.hex()));
        return n.toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public List<MeasurementRegister> registers() {
        return registers.registers();
    }

    @Override
    public Bytes read(String name) {
        return registers.read(name);
    }

    @Override
    public Bytes extend(String name, Bytes digest) {
        return registers.extend(name, digest);
    }

    private static EmulatedRegisters registers(Path dir) {
        return new EmulatedRegisters(dir, "rems", HashAlgorithm.SHA256, "rim", RIM, "rem", 4);
    }

    private List<Bytes> rems() {
        return registers.runtime();
    }

    private static byte[] cbor(Cbor.Writer w) {
        return Cbor.encode(w);
    }

    /** A tagged COSE_Sign1 with ES384 over {@code payload}. */
    private static byte[] sign1(byte[] payload, PrivateKey key) {
        return CoseSign1.sign(payload, key, CoseSign1.ES384);
    }

    private static byte[] rawPoint(ECPublicKey k) {
        byte[] out = new byte[97];
        out[0] = 4;
        fixed(k.getW().getAffineX().toByteArray(), out, 1);
        fixed(k.getW().getAffineY().toByteArray(), out, 49);
        return out;
    }

    private static void fixed(byte[] v, byte[] out, int off) {
        int n = Math.min(v.length, 48);
        System.arraycopy(v, v.length - n, out, off + 48 - n, n);
    }
}
