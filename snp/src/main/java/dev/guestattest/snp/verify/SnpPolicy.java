package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import java.util.Optional;
import java.util.Set;

/**
 * What a relying party requires of an SNP guest beyond a valid signature. Empty sets and absent
 * values impose nothing; by default debug is refused and only reports made at VMPL 0 are accepted.
 * {@code verify --snp --policy} reads it from a file with the appraisal policy's strict loader and
 * names (minimum TCB components as {@link SnpClaims#TCB_COMPONENTS}, {@code vmpl} a list).
 */
public record SnpPolicy(boolean allowDebug, boolean allowSmt, boolean allowMigrationAgent, boolean requireSingleSocket,
                        Optional<TcbVersion.Parts> minimumTcb, Optional<AttestationReport.Firmware> minimumFirmware,
                        Set<Bytes> measurements, Optional<Bytes> hostData, Set<Bytes> idKeyDigests, Set<Bytes> authorKeyDigests,
                        Set<Integer> vmpls, Optional<Bytes> reportData) {
    /** Every VMPL: for a caller that judges the VMPL itself (the appraiser, from the common claims). */
    public static final Set<Integer> ANY_VMPL = Set.of(0, 1, 2, 3);
    public static final SnpPolicy DEFAULT = new SnpPolicy(false, true, true, false, Optional.empty(), Optional.empty(), Set.of(),
            Optional.empty(), Set.of(), Set.of(), Set.of(0), Optional.empty());

    public SnpPolicy {
        measurements = Set.copyOf(measurements);
        idKeyDigests = Set.copyOf(idKeyDigests);
        authorKeyDigests = Set.copyOf(authorKeyDigests);
        vmpls = Set.copyOf(vmpls);
        if (vmpls.isEmpty()) {
            throw AttestationException.invalid("policy vmpl", "accepts no VMPL: name at least one of 0..3");
        }
        vmpls.forEach(v -> {
            if (v < 0 || v > 3) {
                throw AttestationException.invalid("policy vmpl", v + " is outside 0..3");
            }
        });
    }

    public SnpPolicy withAllowDebug(boolean allow) {
        return new SnpPolicy(allow, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, measurements,
                hostData, idKeyDigests, authorKeyDigests, vmpls, reportData);
    }

    public SnpPolicy withReportData(Bytes expected) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, measurements,
                hostData, idKeyDigests, authorKeyDigests, vmpls, Optional.of(expected.checkLength("report data", 64)));
    }

    /** Accepts reports made at these VMPLs only. */
    public SnpPolicy withVmpls(Set<Integer> levels) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, measurements,
                hostData, idKeyDigests, authorKeyDigests, levels, reportData);
    }

    public SnpPolicy withVmpl(int level) {
        return withVmpls(Set.of(level));
    }

    public SnpPolicy withMeasurements(Set<Bytes> allowed) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, minimumTcb, minimumFirmware, allowed,
                hostData, idKeyDigests, authorKeyDigests, vmpls, reportData);
    }

    public SnpPolicy withMinimumTcb(TcbVersion.Parts tcb) {
        return new SnpPolicy(allowDebug, allowSmt, allowMigrationAgent, requireSingleSocket, Optional.of(tcb), minimumFirmware,
                measurements, hostData, idKeyDigests, authorKeyDigests, vmpls, reportData);
    }
}
