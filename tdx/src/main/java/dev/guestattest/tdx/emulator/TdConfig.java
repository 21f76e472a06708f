// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.TdReport;
import java.nio.charset.StandardCharsets;

/**
 * The build-time identity of the emulated TD, fixed until reset: MRTD, the host-set MRCONFIGID,
 * MROWNER and MROWNERCONFIG, TD ATTRIBUTES and XFAM.
 */
public record TdConfig(Bytes mrTd, Bytes mrConfigId, Bytes mrOwner, Bytes mrOwnerConfig, Bytes attributes, Bytes xfam) {
    /** SEPT_VE_DISABLE set, DEBUG clear, as in production TDs; XFAM as seen on real guests. */
    public static final TdConfig DEFAULT = new TdConfig(
            Bytes.of(TdReport.sha384("GuestAttest emulated TD image".getBytes(StandardCharsets.US_ASCII))),
            Bytes.zeros(48), Bytes.zeros(48), Bytes.zeros(48),
            Bytes.fromHex("attributes", "0000001000000000"),
            Bytes.fromHex("xfam", "e702060000000000"));

    public TdConfig {
        mrTd.checkLength("MRTD", 48);
        mrConfigId.checkLength("MRCONFIGID", 48);
        mrOwner.checkLength("MROWNER", 48);
        mrOwnerConfig.checkLength("MROWNERCONFIG", 48);
        attributes.checkLength("ATTRIBUTES", 8);
        xfam.checkLength("XFAM", 8);
    }
}
