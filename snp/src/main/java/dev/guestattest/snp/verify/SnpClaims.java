// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a verified report says about the guest. Names follow the TDX claims where the meaning is the
 * same ({@code reportData}, {@code debug}).
 */
public record SnpClaims(Bytes measurement, Bytes hostData, Bytes reportData, long vmpl, long policy, boolean debug,
                        Bytes chipId, TcbVersion.Parts reportedTcb, TcbVersion.Parts currentTcb, TcbVersion.Parts committedTcb,
                        TcbVersion.Parts launchTcb, AttestationReport.Firmware firmware, Bytes idKeyDigest, Bytes authorKeyDigest,
                        Bytes familyId, Bytes imageId, long guestSvn, String signingKey) {
    /** The TCB components by the names common claims and policies use (minimum_tcb), in TCB_VERSION's terms. */
    public static final List<String> TCB_COMPONENTS = List.of("boot_loader", "tee", "snp", "microcode", "fmc");

    /**
     * SNP has no runtime registers of its own (an SVSM vTPM's PCRs come as TPM evidence). The TCB is the
     * REPORTED_TCB, the level the report's signing key was derived for. The VMPL is that of the
     * software that asked for the report.
     */
    public CommonClaims common() {
        return new CommonClaims("snp", java.util.Optional.of(measurement), java.util.Collections.emptySortedMap(), java.util.Optional.of(debug),
                reportData)
                .withTcb(tcb(reportedTcb))
                .withSigners(java.util.Map.of("id_key", idKeyDigest, "author_key", authorKeyDigest))
                .withPlatformId(chipId)
                .withVmpl(Math.toIntExact(vmpl))
                .withInitDataField(new dev.guestattest.core.verify.InitDataField("host_data", hostData,
                        dev.guestattest.core.verify.InitDataField.Binding.ZERO_PADDED));
    }

    /** A TCB by component name, as {@link #TCB_COMPONENTS} names them. */
    public static Map<String, Long> tcb(TcbVersion.Parts p) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("boot_loader", (long) p.bootLoader());
        m.put("tee", (long) p.tee());
        m.put("snp", (long) p.snp());
        m.put("microcode", (long) p.microcode());
        m.put("fmc", (long) p.fmc());
        return m;
    }

    /** The inverse of {@link #tcb(TcbVersion.Parts)}; a component left out is 0, a name not in {@link #TCB_COMPONENTS} an error. */
    public static TcbVersion.Parts tcb(Map<String, Integer> components) {
        components.keySet().stream().filter(k -> !TCB_COMPONENTS.contains(k)).findFirst().ifPresent(k -> {
            throw AttestationException.invalid("minimum_tcb." + k, "is not an SNP TCB component " + TCB_COMPONENTS);
        });
        return new TcbVersion.Parts(components.getOrDefault("fmc", 0), components.getOrDefault("boot_loader", 0),
                components.getOrDefault("tee", 0), components.getOrDefault("snp", 0), components.getOrDefault("microcode", 0));
    }

    static SnpClaims of(AttestationReport r, TcbVersion.Layout layout) {
        return new SnpClaims(r.measurement(), r.hostData(), r.reportData(), r.vmpl(), r.policy().raw(), r.policy().debugAllowed(),
                r.chipId(), r.reportedTcb().parts(layout), r.currentTcb().parts(layout), r.committedTcb().parts(layout),
                r.launchTcb().parts(layout), r.currentFirmware(), r.idKeyDigest(), r.authorKeyDigest(), r.familyId(), r.imageId(),
                r.guestSvn(), r.signingKey().name());
    }
}
