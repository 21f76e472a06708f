package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.verify.SnpClaims;
import dev.guestattest.snp.validate.SnpRules;
import dev.guestattest.verify.policy.Documents;
import dev.guestattest.verify.policy.Policy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The policy file of {@code verify --snp --policy}, JSON or YAML, read by the appraisal policy's
 * strict loader: an unknown field, a value of the wrong type or an unknown TCB component is an
 * error naming its line, never a requirement silently dropped. The names are the appraisal's:
 * {@code minimum_tcb} components as the common claims name them, {@code vmpl} the list of accepted
 * levels (absent: 0 only).
 * <pre>
 * {"allow_debug": false, "allow_smt": true, "allow_migration_agent": true, "require_single_socket": false,
 *  "minimum_tcb": {"boot_loader": 3, "tee": 0, "snp": 9, "microcode": 115, "fmc": 0}, "minimum_firmware": "1.55",
 *  "measurements": ["..."], "host_data": "...", "id_key_digests": ["..."], "author_key_digests": ["..."],
 *  "vmpl": [0], "report_data": "..."}
 * </pre>
 */
final class SnpPolicyFile {
    private static final String WHAT = "policy";

    private record File(Boolean allowDebug, Boolean allowSmt, Boolean allowMigrationAgent, Boolean requireSingleSocket,
                        Map<String, Integer> minimumTcb, String minimumFirmware, List<String> measurements, String hostData,
                        List<String> idKeyDigests, List<String> authorKeyDigests, List<Integer> vmpl, String reportData) {
    }

    private SnpPolicyFile() {
    }

    /**
     * Sets the file's rules on {@code policy}: debug, VMPLs and measurements as the appraiser's
     * rules of every TEE, the rest as {@link SnpRules}; returns the report data it expects, if any.
     */
    static Optional<Bytes> apply(byte[] document, Policy.Builder policy, boolean allowDebug) {
        File f = Documents.read(document, File.class, WHAT);
        policy.allowDebug(allowDebug || Boolean.TRUE.equals(f.allowDebug()));
        policy.vmpls(Policy.vmpls(document, Optional.ofNullable(f.vmpl())));
        policy.initialMeasurements(hexes(document, "measurements", f.measurements(), 48));
        SnpRules d = SnpRules.NONE;
        policy.teeRules("snp", new SnpRules(Optional.ofNullable(f.allowSmt()).orElse(d.allowSmt()),
                Optional.ofNullable(f.allowMigrationAgent()).orElse(d.allowMigrationAgent()),
                Optional.ofNullable(f.requireSingleSocket()).orElse(d.requireSingleSocket()),
                Optional.ofNullable(f.minimumTcb()).map(t -> minimumTcb(document, t)),
                Optional.ofNullable(f.minimumFirmware()).map(v -> firmware(document, v)),
                Optional.ofNullable(f.hostData()).map(h -> hex(document, h, 32, "host_data")),
                hexes(document, "id_key_digests", f.idKeyDigests(), 48), hexes(document, "author_key_digests", f.authorKeyDigests(), 48)));
        return Optional.ofNullable(f.reportData()).map(h -> hex(document, h, 64, "report_data"));
    }

    private static TcbVersion.Parts minimumTcb(byte[] document, Map<String, Integer> components) {
        components.forEach((name, svn) -> {
            if (!SnpClaims.TCB_COMPONENTS.contains(name)) {
                throw Documents.invalid(document, WHAT, "is not an SNP TCB component " + SnpClaims.TCB_COMPONENTS, "minimum_tcb", name);
            }
            if (svn < 0 || svn > 255) {
                throw Documents.invalid(document, WHAT, svn + " is outside 0..255 (a security version number is one byte)", "minimum_tcb",
                        name);
            }
        });
        return SnpClaims.tcb(components);
    }

    private static AttestationReport.Firmware firmware(byte[] document, String version) {
        String[] p = version.split("\\.", -1);
        try {
            if (p.length <= 2) {
                int major = Integer.parseInt(p[0]);
                int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
                if (major >= 0 && major <= 255 && minor >= 0 && minor <= 255) {
                    return new AttestationReport.Firmware(major, minor, 0);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw Documents.invalid(document, WHAT, "'" + version + "' is not major.minor, each 0..255", "minimum_firmware");
    }

    private static Set<Bytes> hexes(byte[] document, String field, List<String> values, int length) {
        Set<Bytes> out = new HashSet<>();
        List<String> listed = Optional.ofNullable(values).orElse(List.of());
        for (int i = 0; i < listed.size(); i++) {
            out.add(hex(document, listed.get(i), length, field, i));
        }
        return out;
    }

    private static Bytes hex(byte[] document, String text, int length, Object... path) {
        Optional<Bytes> b;
        try {
            b = Optional.of(Bytes.fromHex("hex", text));
        } catch (AttestationException notHex) {
            b = Optional.empty();
        }
        if (b.isEmpty() || b.get().length() != length) {
            throw Documents.invalid(document, WHAT, "must be " + length + " bytes in hex (" + 2 * length + " digits), got "
                    + (b.isEmpty() ? "text that is not hex" : b.get().length() + " bytes"), path);
        }
        return b.get();
    }
}
