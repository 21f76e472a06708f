// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.tdx.abi.TdInfo;
import java.util.List;

/**
 * A TD's measurement registers as Linux exposes them (linux-abi.md §2.4): MRTD (SHA-384, read-only),
 * MRCONFIGID, MROWNER, MROWNERCONFIG (no hash, read-only) and RTMR0-3 (SHA-384, extendable, live).
 */
public final class TdxRegisters {
    public static final List<MeasurementRegister> ALL = List.of(
            MeasurementRegister.fixed("mrtd", HashAlgorithm.SHA384),
            MeasurementRegister.noHash("mrconfigid", 48),
            MeasurementRegister.noHash("mrowner", 48),
            MeasurementRegister.noHash("mrownerconfig", 48),
            MeasurementRegister.runtime("rtmr0", HashAlgorithm.SHA384),
            MeasurementRegister.runtime("rtmr1", HashAlgorithm.SHA384),
            MeasurementRegister.runtime("rtmr2", HashAlgorithm.SHA384),
            MeasurementRegister.runtime("rtmr3", HashAlgorithm.SHA384));

    private TdxRegisters() {
    }

    /** The register's value in a TDREPORT's TDINFO. */
    public static Bytes value(TdInfo info, String name) {
        return switch (name) {
            case "mrtd" -> info.mrTd();
            case "mrconfigid" -> info.mrConfigId();
            case "mrowner" -> info.mrOwner();
            case "mrownerconfig" -> info.mrOwnerConfig();
            case "rtmr0", "rtmr1", "rtmr2", "rtmr3" -> info.rtmrs().get(rtmrIndex(name));
            default -> throw AttestationException.invalid("register", "'" + name + "' is not a TDX register");
        };
    }

    /** 0..3 for rtmr0..rtmr3. */
    public static int rtmrIndex(String name) {
        return name.charAt(name.length() - 1) - '0';
    }
}
