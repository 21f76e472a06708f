// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.codec.Bytes;
import java.util.List;

/**
 * The emulated platform's TCB as its PCK certificate and TDREPORTs state it. Values follow real
 * Sapphire Rapids platforms; the FMSPC is the emulator's own so its collateral never collides
 * with Intel's.
 */
public record PlatformTcb(Bytes fmspc, Bytes pceId, List<Integer> sgxTcbComponents, int pceSvn, Bytes cpuSvn,
                          Bytes teeTcbSvn, Bytes mrSeam) {
    public static final PlatformTcb DEFAULT = new PlatformTcb(
            Bytes.fromHex("fmspc", "ea0001000000"),
            Bytes.fromHex("pce_id", "0000"),
            List.of(3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0),
            11,
            Bytes.fromHex("cpusvn", "03030202040100050000000000000000"),
            Bytes.fromHex("tee_tcb_svn", "06010300000000000000000000000000"),
            Bytes.of(dev.guestattest.tdx.abi.TdReport.sha384(
                    "GuestAttest emulated TDX module".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));

    public PlatformTcb {
        fmspc.checkLength("fmspc", 6);
        pceId.checkLength("pce_id", 2);
        sgxTcbComponents = List.copyOf(sgxTcbComponents);
        cpuSvn.checkLength("cpusvn", 16);
        teeTcbSvn.checkLength("tee_tcb_svn", 16);
        mrSeam.checkLength("mrseam", 48);
    }
}
