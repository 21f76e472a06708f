// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.SerdeJson;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * SNP evidence as guest-components sends it: {@code {"attestation_report": <the sev crate's serde
 * form of the report>, "cert_chain": [{"cert_type", "data"}] | null}} (guest-components 8246e5e0
 * {@code attestation-agent/attester/src/snp/mod.rs} {@code SnpEvidence}; sev 6.3 {@code
 * src/firmware/guest/types/snp.rs} {@code AttestationReport}, {@code src/firmware/host/types/snp.rs}
 * {@code TcbVersion}, {@code CertTableEntry}; trustee 78962cd4 {@code deps/verifier/src/snp/mod.rs}
 * reads it with sev 7.1, which writes the same JSON). The report travels as named fields, byte
 * arrays as arrays of numbers, the TCB versions as objects whose byte layout follows the product
 * (Turin: FMC, BL, TEE, SNP, 3 reserved, MICROCODE; else BL, TEE, 4 reserved, SNP, MICROCODE); the
 * signed 1184 bytes are rebuilt from them, reserved bytes zero, as the sev crate does. A report
 * whose bytes would not survive that (non-zero reserved bytes) cannot be carried this way and is
 * refused rather than altered. The certificates become this project's certificate table ({@code certs}).
 */
public final class SnpTrusteeEvidence implements TrusteeEvidence {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPORT = FIELD + ".attestation_report";
    private static final String CERTS = "certs";
    static final int SIZE = 1184;
    private static final int SIGNATURE = 0x2A0;
    private static final int SCALAR = 72;
    /** The cert types sev names, by the GUIDs of the GHCB certificate table. */
    private static final Map<String, UUID> CERT_TYPES = Map.of("ARK", CertTable.ARK, "ASK", CertTable.ASK, "VCEK", CertTable.VCEK,
            "VLEK", CertTable.VLEK, "CRL", UUID.fromString("92f81bc3-5811-4d3d-97ff-d19f88dc67ea"));

    private enum Kind { U32, U64, BYTES, TCB, OPTIONAL_U8, OPTIONAL_U64, FIRMWARE }

    /** A report field: its serde name, where its bytes are, and how they read. */
    private record Field(String name, int offset, Kind kind, int length) {
        static Field of(String name, int offset, Kind kind) {
            return new Field(name, offset, kind, 0);
        }
    }

    /** The report's fields in the order serde writes them (sev's struct order). */
    private static final List<Field> FIELDS = List.of(Field.of("version", 0x000, Kind.U32), Field.of("guest_svn", 0x004, Kind.U32),
            Field.of("policy", 0x008, Kind.U64), new Field("family_id", 0x010, Kind.BYTES, 16), new Field("image_id", 0x020, Kind.BYTES, 16),
            Field.of("vmpl", 0x030, Kind.U32), Field.of("sig_algo", 0x034, Kind.U32), Field.of("current_tcb", 0x038, Kind.TCB),
            Field.of("plat_info", 0x040, Kind.U64), Field.of("key_info", 0x048, Kind.U32), new Field("report_data", 0x050, Kind.BYTES, 64),
            new Field("measurement", 0x090, Kind.BYTES, 48), new Field("host_data", 0x0C0, Kind.BYTES, 32),
            new Field("id_key_digest", 0x0E0, Kind.BYTES, 48), new Field("author_key_digest", 0x110, Kind.BYTES, 48),
            new Field("report_id", 0x140, Kind.BYTES, 32), new Field("report_id_ma", 0x160, Kind.BYTES, 32),
            Field.of("reported_tcb", 0x180, Kind.TCB), Field.of("cpuid_fam_id", 0x188, Kind.OPTIONAL_U8),
            Field.of("cpuid_mod_id", 0x189, Kind.OPTIONAL_U8), Field.of("cpuid_step", 0x18A, Kind.OPTIONAL_U8),
            new Field("chip_id", 0x1A0, Kind.BYTES, 64), Field.of("committed_tcb", 0x1E0, Kind.TCB), Field.of("current", 0x1E8, Kind.FIRMWARE),
            Field.of("committed", 0x1EC, Kind.FIRMWARE), Field.of("launch_tcb", 0x1F0, Kind.TCB),
            Field.of("launch_mit_vector", 0x1F8, Kind.OPTIONAL_U64), Field.of("current_mit_vector", 0x200, Kind.OPTIONAL_U64));

    @Override
    public String tee() {
        return "snp";
    }

    @Override
    public Evidence read(JsonNode primary) {
        SerdeJson.object(primary, FIELD);
        byte[] report = report(SerdeJson.object(SerdeJson.member(primary, FIELD, "attestation_report"), REPORT));
        JsonNode chain = primary.get("cert_chain");
        if (chain == null || chain.isNull()) {
            return new Evidence(Optional.of("snp"), Bytes.of(report), Map.of());
        }
        if (!chain.isArray()) {
            throw AttestationException.invalid(FIELD + ".cert_chain", "must be null or an array of {cert_type, data}");
        }
        List<CertTable.Entry> entries = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            String where = FIELD + ".cert_chain[" + i + "]";
            JsonNode entry = SerdeJson.object(chain.get(i), where);
            Optional<UUID> guid = certType(SerdeJson.member(entry, where, "cert_type"), where);
            Bytes data = SerdeJson.bytes(entry, where, "data");
            guid.ifPresent(g -> entries.add(new CertTable.Entry(g, data)));
        }
        return new Evidence(Optional.of("snp"), Bytes.of(report), entries.isEmpty() ? Map.of() : Map.of(CERTS,
                Bytes.of(new CertTable(entries).toBytes())));
    }

    @Override
    public JsonNode write(Evidence e) {
        for (String part : e.aux().keySet()) {
            if (!part.equals(CERTS)) {
                throw AttestationException.invalid("evidence aux part " + part, "guest-components' SNP evidence has no place for it (only "
                        + CERTS + ", as cert_chain)");
            }
        }
        byte[] report = e.bytes().toArray();
        if (report.length != SIZE) {
            throw AttestationException.invalid("SNP report", "is " + report.length + " bytes, not " + SIZE);
        }
        ObjectNode n = JSON.createObjectNode();
        ObjectNode r = n.putObject("attestation_report");
        ByteBuffer b = ByteBuffer.wrap(report).order(ByteOrder.LITTLE_ENDIAN);
        long version = b.getInt(0) & 0xffffffffL;
        boolean turin = turin(version, report[0x188] & 0xff, Bytes.of(report, 0x1A0, 64));
        for (Field f : FIELDS) {
            switch (f.kind()) {
                case U32 -> r.put(f.name(), b.getInt(f.offset()) & 0xffffffffL);
                case U64 -> r.put(f.name(), new java.math.BigInteger(Long.toUnsignedString(b.getLong(f.offset()))));
                case BYTES -> r.set(f.name(), SerdeJson.array(Bytes.of(report, f.offset(), f.length())));
                case TCB -> r.set(f.name(), tcb(b.getLong(f.offset()), turin));
                case OPTIONAL_U8 -> {
                    if (version >= 3) {
                        r.put(f.name(), report[f.offset()] & 0xff);
                    } else {
                        r.putNull(f.name());
                    }
                }
                case OPTIONAL_U64 -> {
                    if (version >= 5) {
                        r.put(f.name(), new java.math.BigInteger(Long.toUnsignedString(b.getLong(f.offset()))));
                    } else {
                        r.putNull(f.name());
                    }
                }
                case FIRMWARE -> r.putObject(f.name()).put("major", report[f.offset() + 2] & 0xff).put("minor", report[f.offset() + 1] & 0xff)
                        .put("build", report[f.offset()] & 0xff);
            }
        }
        r.putObject("signature").<ObjectNode>set("r", SerdeJson.array(Bytes.of(report, SIGNATURE, SCALAR)))
                .set("s", SerdeJson.array(Bytes.of(report, SIGNATURE + SCALAR, SCALAR)));
        if (!Arrays.equals(report(r), report)) {
            throw AttestationException.invalid("SNP report", "has bytes the sev crate's form cannot carry (non-zero reserved bytes);"
                    + " sent that way its signature would no longer verify");
        }
        ArrayNode chain = JSON.createArrayNode();
        e.aux(CERTS).ifPresent(t -> CertTable.parse(t.toArray()).entries().forEach(entry -> {
            ObjectNode c = chain.addObject();
            String name = CERT_TYPES.entrySet().stream().filter(x -> x.getValue().equals(entry.guid())).map(Map.Entry::getKey).findFirst()
                    .orElse(null);
            if (name != null) {
                c.put("cert_type", name);
            } else {
                c.putObject("cert_type").put("OTHER", entry.guid().toString());
            }
            c.set("data", SerdeJson.array(entry.certificate()));
        }));
        n.set("cert_chain", chain.isEmpty() ? null : chain);
        return n;
    }

    /** The 1184 bytes from the serde form, as the sev crate writes them: reserved bytes zero. */
    private static byte[] report(JsonNode r) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long version = unsigned(r, "version", 0xffffffffL);
        boolean turin = turin(version, version >= 3 ? (int) unsigned(r, "cpuid_fam_id", 0xff) : 0, SerdeJson.bytes(r, REPORT, "chip_id", 64));
        for (Field f : FIELDS) {
            switch (f.kind()) {
                case U32 -> b.putInt(f.offset(), (int) unsigned(r, f.name(), 0xffffffffL));
                case U64 -> b.putLong(f.offset(), u64(r, f.name()));
                case BYTES -> b.put(f.offset(), SerdeJson.bytes(r, REPORT, f.name(), f.length()).toArray());
                case TCB -> b.putLong(f.offset(), tcb(SerdeJson.object(SerdeJson.member(r, REPORT, f.name()), REPORT + "." + f.name()),
                        REPORT + "." + f.name(), turin));
                case OPTIONAL_U8 -> {
                    if (version >= 3) {
                        b.put(f.offset(), (byte) unsigned(r, f.name(), 0xff));
                    }
                }
                case OPTIONAL_U64 -> {
                    if (version >= 5) {
                        b.putLong(f.offset(), u64(r, f.name()));
                    }
                }
                case FIRMWARE -> {
                    JsonNode v = SerdeJson.object(SerdeJson.member(r, REPORT, f.name()), REPORT + "." + f.name());
                    b.put(f.offset(), (byte) unsigned(v, "build", 0xff, REPORT + "." + f.name()));
                    b.put(f.offset() + 1, (byte) unsigned(v, "minor", 0xff, REPORT + "." + f.name()));
                    b.put(f.offset() + 2, (byte) unsigned(v, "major", 0xff, REPORT + "." + f.name()));
                }
            }
        }
        JsonNode sig = SerdeJson.object(SerdeJson.member(r, REPORT, "signature"), REPORT + ".signature");
        b.put(SIGNATURE, SerdeJson.bytes(sig, REPORT + ".signature", "r", SCALAR).toArray());
        b.put(SIGNATURE + SCALAR, SerdeJson.bytes(sig, REPORT + ".signature", "s", SCALAR).toArray());
        return b.array();
    }

    /** The sev crate's choice of TCB layout: by CPUID family from version 3 (0x1A is Turin), by a chip ID of 8 bytes in version 2. */
    private static boolean turin(long version, int family, Bytes chipId) {
        return version >= 3 ? family == 0x1A : Bytes.of(chipId.toArray(), 8, 56).isZero();
    }

    private static ObjectNode tcb(long raw, boolean turin) {
        TcbVersion.Parts p = new TcbVersion(raw).parts(turin ? TcbVersion.Layout.TURIN : TcbVersion.Layout.MILAN_GENOA);
        ObjectNode n = JSON.createObjectNode();
        if (turin) {
            n.put("fmc", p.fmc());
        } else {
            n.putNull("fmc");
        }
        return n.put("bootloader", p.bootLoader()).put("tee", p.tee()).put("snp", p.snp()).put("microcode", p.microcode());
    }

    private static long tcb(JsonNode n, String where, boolean turin) {
        int fmc = n.path("fmc").isNull() || n.path("fmc").isMissingNode() ? 0 : (int) unsigned(n, "fmc", 0xff, where);
        return TcbVersion.of(turin ? TcbVersion.Layout.TURIN : TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(fmc,
                (int) unsigned(n, "bootloader", 0xff, where), (int) unsigned(n, "tee", 0xff, where), (int) unsigned(n, "snp", 0xff, where),
                (int) unsigned(n, "microcode", 0xff, where))).raw();
    }

    private static Optional<UUID> certType(JsonNode t, String where) {
        if (t.isTextual()) {
            if (t.asText().equals("Empty")) {
                return Optional.empty();
            }
            UUID guid = CERT_TYPES.get(t.asText());
            if (guid == null) {
                throw AttestationException.invalid(where + ".cert_type", "'" + t.asText() + "' is not Empty, " + CERT_TYPES.keySet()
                        + " or {\"OTHER\": uuid}");
            }
            return Optional.of(guid);
        }
        if (t.isObject() && t.size() == 1 && t.path("OTHER").isTextual()) {
            try {
                return Optional.of(UUID.fromString(t.get("OTHER").asText()));
            } catch (IllegalArgumentException e) {
                throw AttestationException.invalid(where + ".cert_type.OTHER", "is not a UUID");
            }
        }
        throw AttestationException.invalid(where + ".cert_type", "must be a name or {\"OTHER\": uuid}");
    }

    private static long unsigned(JsonNode n, String name, long max) {
        return unsigned(n, name, max, REPORT);
    }

    private static long unsigned(JsonNode n, String name, long max, String where) {
        JsonNode v = SerdeJson.member(n, where, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > max) {
            throw AttestationException.invalid(where + "." + name, "must be an integer 0.." + max + ", not " + v);
        }
        return v.asLong();
    }

    /** A u64, all 64 bits of it (serde writes the unsigned value). */
    private static long u64(JsonNode n, String name) {
        JsonNode v = SerdeJson.member(n, REPORT, name);
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 64) {
            throw AttestationException.invalid(REPORT + "." + name, "must be an integer 0..2^64-1, not " + v);
        }
        return v.bigIntegerValue().longValue();
    }
}
