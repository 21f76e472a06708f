// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.TeeRules;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.GuestPolicy;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.verify.Product;
import dev.guestattest.snp.verify.SnpClaims;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What only an SNP report can say, as policy (the appraisal policy's {@code tee_rules.snp}): the
 * guest policy's SMT, migration-agent and single-socket bits, a minimum TCB for both the reported
 * and the committed TCB, a minimum firmware, HOST_DATA, and the ID and author keys. Empty sets and
 * absent values impose nothing; by default SMT and a migration agent are allowed. Debug, VMPL, the
 * measurement and report data are rules of every TEE and are the appraiser's.
 */
public record SnpRules(boolean allowSmt, boolean allowMigrationAgent, boolean requireSingleSocket, Optional<TcbVersion.Parts> minimumTcb,
                       Optional<AttestationReport.Firmware> minimumFirmware, Optional<Bytes> hostData, Set<Bytes> idKeyDigests,
                       Set<Bytes> authorKeyDigests) implements TeeRules {
    public static final SnpRules NONE = new SnpRules(true, true, false, Optional.empty(), Optional.empty(), Optional.empty(), Set.of(),
            Set.of());

    public SnpRules {
        idKeyDigests = Set.copyOf(idKeyDigests);
        authorKeyDigests = Set.copyOf(authorKeyDigests);
    }

    @Override
    public List<Finding> judge(Evidence evidence) {
        AttestationReport r = AttestationReport.parse(evidence.bytes().toArray());
        TcbVersion.Layout layout = Product.fromReport(r).map(Product::layout).orElse(r.tcbLayout());
        GuestPolicy p = r.policy();
        List<Finding> out = new ArrayList<>();
        if (!allowSmt) {
            out.add(Finding.of(Affects.CONFIGURATION, "smt", !p.smtAllowed(), p.smtAllowed() ? "the guest policy allows SMT" : "SMT not allowed"));
        }
        if (!allowMigrationAgent) {
            out.add(Finding.of(Affects.CONFIGURATION, "migration_agent", !p.migrationAgentAllowed(),
                    p.migrationAgentAllowed() ? "the guest policy allows a migration agent" : "no migration agent"));
        }
        if (requireSingleSocket) {
            out.add(Finding.of(Affects.CONFIGURATION, "single_socket", p.singleSocket(),
                    p.singleSocket() ? "single socket" : "the guest policy does not require a single socket"));
        }
        minimumTcb.ifPresent(min -> {
            TcbVersion minimum = TcbVersion.of(layout, min);
            boolean ok = r.reportedTcb().atLeast(minimum, layout) && r.committedTcb().atLeast(minimum, layout);
            out.add(Finding.of(Affects.HARDWARE, "tcb", ok, ok ? "reported and committed TCB meet " + min
                    : "reported TCB " + r.reportedTcb().parts(layout) + " / committed " + r.committedTcb().parts(layout)
                    + " is below the minimum " + min));
        });
        minimumFirmware.ifPresent(min -> {
            boolean ok = r.currentFirmware().compareTo(min) >= 0;
            out.add(Finding.of(Affects.HARDWARE, "firmware", ok, "firmware " + r.currentFirmware() + (ok ? " meets " : " is below ")
                    + min.major() + "." + min.minor()));
        });
        hostData.ifPresent(h -> out.add(Finding.of(Affects.CONFIGURATION, "host_data", h.equals(r.hostData()),
                h.equals(r.hostData()) ? "host data as expected" : "host data " + r.hostData().hex() + ", expected " + h.hex())));
        if (!idKeyDigests.isEmpty()) {
            boolean ok = idKeyDigests.contains(r.idKeyDigest());
            out.add(Finding.of(Affects.EXECUTABLES, "id_key", ok, ok ? "ID key is allowed"
                    : "ID key digest " + r.idKeyDigest().hex() + " is not an allowed one"));
        }
        if (!authorKeyDigests.isEmpty()) {
            boolean ok = authorKeyDigests.contains(r.authorKeyDigest());
            out.add(Finding.of(Affects.EXECUTABLES, "author_key", ok, ok ? "author key is allowed"
                    : "author key digest " + r.authorKeyDigest().hex() + " is not an allowed one"));
        }
        return out;
    }

    /** The section's shape: {@code minimum_tcb} by component name, firmware as major.minor, digests in hex. */
    private record Section(Boolean allowSmt, Boolean allowMigrationAgent, Boolean requireSingleSocket, Map<String, Integer> minimumTcb,
                           String minimumFirmware, String hostData, List<String> idKeyDigests, List<String> authorKeyDigests) {
    }

    public static SnpRules parse(String where, JsonNode section) {
        Section s = Json.section(where, section, Section.class);
        return new SnpRules(!Boolean.FALSE.equals(s.allowSmt()), !Boolean.FALSE.equals(s.allowMigrationAgent()),
                Boolean.TRUE.equals(s.requireSingleSocket()), Optional.ofNullable(s.minimumTcb()).map(t -> minimumTcb(where, t)),
                Optional.ofNullable(s.minimumFirmware()).map(v -> firmware(where, v)),
                Optional.ofNullable(s.hostData()).map(h -> hex(where + ".host_data", h, 32)),
                hexes(where + ".id_key_digests", s.idKeyDigests()), hexes(where + ".author_key_digests", s.authorKeyDigests()));
    }

    public static TcbVersion.Parts minimumTcb(String where, Map<String, Integer> components) {
        components.forEach((name, svn) -> {
            if (!SnpClaims.TCB_COMPONENTS.contains(name)) {
                throw AttestationException.invalid(where + ".minimum_tcb." + name, "is not an SNP TCB component " + SnpClaims.TCB_COMPONENTS);
            }
            if (svn == null || svn < 0 || svn > 255) {
                throw AttestationException.invalid(where + ".minimum_tcb." + name, svn + " is outside 0..255 (a security version number is one byte)");
            }
        });
        return SnpClaims.tcb(components);
    }

    public static AttestationReport.Firmware firmware(String where, String version) {
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
        throw AttestationException.invalid(where + ".minimum_firmware", "'" + version + "' is not major.minor, each 0..255");
    }

    public static Set<Bytes> hexes(String where, List<String> values) {
        Set<Bytes> out = new HashSet<>();
        List<String> listed = Optional.ofNullable(values).orElse(List.of());
        for (int i = 0; i < listed.size(); i++) {
            out.add(hex(where + "[" + i + "]", listed.get(i), 48));
        }
        return out;
    }

    public static Bytes hex(String where, String text, int length) {
        Bytes b;
        try {
            b = Bytes.fromHex(where, text);
        } catch (AttestationException notHex) {
            throw AttestationException.invalid(where, "must be " + length + " bytes in hex (" + 2 * length + " digits), got text that is not hex");
        }
        if (b.length() != length) {
            throw AttestationException.invalid(where, "must be " + length + " bytes in hex (" + 2 * length + " digits), got " + b.length() + " bytes");
        }
        return b;
    }

    @Override
    public String toString() {
        return "SnpRules[smt " + allowSmt + ", migration agent " + allowMigrationAgent + ", single socket " + requireSingleSocket + "]";
    }
}
