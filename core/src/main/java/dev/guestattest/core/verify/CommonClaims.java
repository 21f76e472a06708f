// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import dev.guestattest.core.codec.Bytes;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What verified evidence from any TEE says under one set of names, so a policy on them is written
 * once: the measurement of the initial image (TDX MRTD, SNP MEASUREMENT, CCA RIM, CoVE TVM initial
 * FWID), the runtime registers by their register names (rtmr0-3, rem0-3, rmr0-3), whether the host
 * can debug the guest (empty where the evidence does not say; for CCA the platform's security
 * lifecycle), and the caller's report data (TDX and SNP REPORTDATA, the CCA and CoVE challenge,
 * s390 user data). Besides those: the privilege level inside the guest that asked for the evidence
 * (SNP's VMPL; empty for TEEs without such levels), the TCB level as security version numbers by
 * component ({@code tee_tcb_svn.0}, SNP {@code snp}, {@code microcode}...), the identities that
 * signed what runs ({@code mrsigner_seam}, SNP {@code author_key}...), and the platform's own
 * identity where the evidence names one (SNP CHIP_ID, CCA instance ID). Vendor claims stay on each
 * vendor's own record.
 */
public record CommonClaims(String tee, Optional<Bytes> initialMeasurement, SortedMap<String, Bytes> runtimeRegisters,
                           Optional<Boolean> debug, Bytes reportData, SortedMap<String, Long> tcb, SortedMap<String, Bytes> signers,
                           Optional<Bytes> platformId, Optional<Integer> vmpl, Optional<InitDataField> initDataField) {
    public CommonClaims {
        Objects.requireNonNull(tee, "tee");
        Objects.requireNonNull(initialMeasurement, "initialMeasurement");
        Objects.requireNonNull(debug, "debug");
        Objects.requireNonNull(reportData, "reportData");
        Objects.requireNonNull(platformId, "platformId");
        Objects.requireNonNull(vmpl, "vmpl");
        Objects.requireNonNull(initDataField, "initDataField");
        if (vmpl.isPresent() && (vmpl.get() < 0 || vmpl.get() > 3)) {
            throw dev.guestattest.core.AttestationException.invalid("vmpl", vmpl.get() + " is outside 0..3");
        }
        runtimeRegisters = Collections.unmodifiableSortedMap(new TreeMap<>(runtimeRegisters));
        tcb = Collections.unmodifiableSortedMap(new TreeMap<>(tcb));
        signers = Collections.unmodifiableSortedMap(new TreeMap<>(signers));
    }

    /** The claims every TEE has; the rest are added with the {@code with} methods. */
    public CommonClaims(String tee, Optional<Bytes> initialMeasurement, SortedMap<String, Bytes> runtimeRegisters, Optional<Boolean> debug,
                        Bytes reportData) {
        this(tee, initialMeasurement, runtimeRegisters, debug, reportData, Collections.emptySortedMap(), Collections.emptySortedMap(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    public CommonClaims withTcb(java.util.Map<String, Long> svns) {
        return new CommonClaims(tee, initialMeasurement, runtimeRegisters, debug, reportData, new TreeMap<>(svns), signers, platformId, vmpl, initDataField);
    }

    public CommonClaims withSigners(java.util.Map<String, Bytes> identities) {
        return new CommonClaims(tee, initialMeasurement, runtimeRegisters, debug, reportData, tcb, new TreeMap<>(identities), platformId,
                vmpl, initDataField);
    }

    public CommonClaims withPlatformId(Bytes id) {
        return new CommonClaims(tee, initialMeasurement, runtimeRegisters, debug, reportData, tcb, signers, Optional.of(id), vmpl, initDataField);
    }

    /** The VMPL (0 most privileged .. 3) of the guest software that asked for the evidence. */
    public CommonClaims withVmpl(int level) {
        return new CommonClaims(tee, initialMeasurement, runtimeRegisters, debug, reportData, tcb, signers, platformId, Optional.of(level), initDataField);
    }

    /** For TEEs whose debug state is known only beside the claims the rest come from (CCA: the platform token's lifecycle). */
    public CommonClaims withDebug(boolean on) {
        return new CommonClaims(tee, initialMeasurement, runtimeRegisters, Optional.of(on), reportData, tcb, signers, platformId, vmpl, initDataField);
    }

    /** Where this evidence carries the digest of the guest's init-data (TDX MRCONFIGID, SNP HOST_DATA, ...). */
    public CommonClaims withInitDataField(InitDataField field) {
        return new CommonClaims(tee, initialMeasurement, runtimeRegisters, debug, reportData, tcb, signers, platformId, vmpl, Optional.of(field));
    }

    /** The claims by their JSON names, bytes as hex, in this order; {@code tee} is left to the caller. */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        initialMeasurement.ifPresent(x -> m.put("initial_measurement", x.hex()));
        java.util.Map<String, String> registers = new java.util.LinkedHashMap<>();
        runtimeRegisters.forEach((k, v) -> registers.put(k, v.hex()));
        m.put("runtime_registers", registers);
        debug.ifPresent(d -> m.put("debug", d));
        vmpl.ifPresent(v -> m.put("vmpl", v));
        m.put("report_data", reportData.hex());
        if (!tcb.isEmpty()) {
            m.put("tcb", new java.util.LinkedHashMap<>(tcb));
        }
        if (!signers.isEmpty()) {
            java.util.Map<String, String> s = new java.util.LinkedHashMap<>();
            signers.forEach((k, v) -> s.put(k, v.hex()));
            m.put("signers", s);
        }
        platformId.ifPresent(p -> m.put("platform_id", p.hex()));
        initDataField.ifPresent(f -> m.put("init_data", f.value().hex()));
        return m;
    }

    /** Registers {@code prefix0..prefixN} in the order given. */
    public static SortedMap<String, Bytes> registers(String prefix, java.util.List<Bytes> values) {
        SortedMap<String, Bytes> m = new TreeMap<>();
        for (int i = 0; i < values.size(); i++) {
            m.put(prefix + i, values.get(i));
        }
        return m;
    }
}
