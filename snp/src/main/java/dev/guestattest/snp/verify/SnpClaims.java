package dev.guestattest.snp.verify;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;

/**
 * What a verified report says about the guest. Names follow the TDX claims where the meaning is the
 * same ({@code reportData}, {@code debug}).
 */
public record SnpClaims(Bytes measurement, Bytes hostData, Bytes reportData, long vmpl, long policy, boolean debug,
                        Bytes chipId, TcbVersion.Parts reportedTcb, TcbVersion.Parts currentTcb, TcbVersion.Parts committedTcb,
                        TcbVersion.Parts launchTcb, AttestationReport.Firmware firmware, Bytes idKeyDigest, Bytes authorKeyDigest,
                        Bytes familyId, Bytes imageId, long guestSvn, String signingKey) {
    /**
     * SNP has no runtime registers of its own (an SVSM vTPM's PCRs come as TPM evidence). The TCB is the
     * REPORTED_TCB, the level the report's signing key was derived for.
     */
    public CommonClaims common() {
        return new CommonClaims("snp", java.util.Optional.of(measurement), java.util.Collections.emptySortedMap(), java.util.Optional.of(debug),
                reportData)
                .withTcb(java.util.Map.of("fmc", (long) reportedTcb.fmc(), "boot_loader", (long) reportedTcb.bootLoader(),
                        "tee", (long) reportedTcb.tee(), "snp", (long) reportedTcb.snp(), "microcode", (long) reportedTcb.microcode()))
                .withSigners(java.util.Map.of("id_key", idKeyDigest, "author_key", authorKeyDigest))
                .withPlatformId(chipId);
    }

    static SnpClaims of(AttestationReport r, TcbVersion.Layout layout) {
        return new SnpClaims(r.measurement(), r.hostData(), r.reportData(), r.vmpl(), r.policy().raw(), r.policy().debugAllowed(),
                r.chipId(), r.reportedTcb().parts(layout), r.currentTcb().parts(layout), r.committedTcb().parts(layout),
                r.launchTcb().parts(layout), r.currentFirmware(), r.idKeyDigest(), r.authorKeyDigest(), r.familyId(), r.imageId(),
                r.guestSvn(), r.signingKey().name());
    }
}
