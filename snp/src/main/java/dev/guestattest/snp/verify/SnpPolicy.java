package dev.guestattest.snp.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * What a relying party requires of an SNP guest beyond a valid signature. Empty sets and absent
 * values impose nothing; only "no debug" holds by default.
 */
public record SnpPolicy(boolean allowDebug, boolean allowSmt, boolean allowMigrationAgent, boolean requireSingleSocket,
                        Optional<TcbVersion.Parts> minimumTcb, Optional<AttestationReport.Firmware> minimumFirmware,
                        Set<Bytes> measurements, Optional<Bytes> hostData, Set<Bytes> idKeyDigests, Set<Bytes> authorKeyDigests,
                        Optional<Integer> vmpl, Optional<Bytes> reportData) {
    public static final SnpPolicy DEFAULT = new SnpPolicy(false, true, true, false, Optional.empty(), Optional.empty(), Set.of(),
            Optional.empty(), Set.of(), Set.of(), Optional.empty(), Optional.empty());

    public SnpPolicy {
        measurements = Set.copyOf(measurements);
        idKeyDigests = Set.copyOf(idKeyDigests);
        authorKeyDigests = Set.copyOf(authorKeyDigests);
        vmpl.ifPresent(v -> {
            if (v < 0 || v > 3) {
                throw AttestationException.invalid("policy vmpl", v + " is outside 0..3");
            }
        });
    }

    public SnpPolicy withAllowDebug(boolean allow) {
        return new SnpPolicy(allow, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, measurements,
                hostData, idKeyDigests, authorKeyDigests, vmpl, reportData);
    }

    public SnpPolicy withReportData(Bytes expected) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, measurements,
                hostData, idKeyDigests, authorKeyDigests, vmpl, Optional.of(expected.checkLength("report data", 64)));
    }

    public SnpPolicy withVmpl(int level) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, measurements,
                hostData, idKeyDigests, authorKeyDigests, Optional.of(level), reportData);
    }

    public SnpPolicy withMeasurements(Set<Bytes> allowed) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, allowed,
                hostData, idKeyDigests, authorKeyDigests, vmpl, reportData);
    }

    public SnpPolicy withMinimumTcb(TcbVersion.Parts tcb) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, Optional.of(tcb), minimumFirmware,
                measurements, hostData, idKeyDigests, authorKeyDigests, vmpl, reportData);
    }

    /**
     * Reads a JSON policy: {@code allow_debug}, {@code allow_smt}, {@code allow_migration_agent},
     * {@code require_single_socket}, {@code minimum_tcb} {bl, tee, snp, ucode, fmc}, {@code minimum_firmware}
     * "major.minor", {@code measurements} [hex], {@code host_data} hex, {@code id_key_digests} [hex],
     * {@code author_key_digests} [hex], {@code vmpl}, {@code report_data} hex. Unknown keys are refused.
     */
    public static SnpPolicy fromJson(byte[] json) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw AttestationException.invalid("policy", "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw AttestationException.invalid("policy", "must be a JSON object");
        }
        Set<String> known = Set.of("allow_debug", "allow_smt", "allow_migration_agent", "require_single_socket", "minimum_tcb",
                "minimum_firmware", "measurements", "host_data", "id_key_digests", "author_key_digests", "vmpl", "report_data");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw AttestationException.invalid("policy", "unknown key '" + f + "'; known: " + new java.util.TreeSet<>(known));
            }
        }
        Optional<TcbVersion.Parts> tcb = Optional.ofNullable(n.get("minimum_tcb")).map(t -> new TcbVersion.Parts(t.path("fmc").asInt(0),
                t.path("bl").asInt(0), t.path("tee").asInt(0), t.path("snp").asInt(0), t.path("ucode").asInt(0)));
        Optional<AttestationReport.Firmware> fw = Optional.ofNullable(n.get("minimum_firmware")).map(f -> {
            String[] p = f.asText().split("\\.");
            try {
                return new AttestationReport.Firmware(Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 0, 0);
            } catch (NumberFormatException e) {
                throw AttestationException.invalid("policy minimum_firmware", "'" + f.asText() + "' is not major.minor");
            }
        });
        return new SnpPolicy(n.path("allow_debug").asBoolean(false), n.path("allow_smt").asBoolean(true),
                n.path("allow_migration_agent").asBoolean(true), n.path("require_single_socket").asBoolean(false), tcb, fw,
                hexSet(n, "measurements", 48), Optional.ofNullable(n.get("host_data")).map(h -> hex("host_data", h.asText(), 32)),
                hexSet(n, "id_key_digests", 48), hexSet(n, "author_key_digests", 48),
                Optional.ofNullable(n.get("vmpl")).map(JsonNode::asInt),
                Optional.ofNullable(n.get("report_data")).map(h -> hex("report_data", h.asText(), 64)));
    }

    private static Set<Bytes> hexSet(JsonNode n, String field, int length) {
        Set<Bytes> out = new HashSet<>();
        n.path(field).forEach(v -> out.add(hex(field, v.asText(), length)));
        return out;
    }

    private static Bytes hex(String field, String text, int length) {
        return Bytes.fromHex("policy " + field, text).checkLength("policy " + field, length);
    }
}
