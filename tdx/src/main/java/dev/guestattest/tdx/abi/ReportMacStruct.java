// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/** REPORTMACSTRUCT (the first 256 bytes of a TDREPORT), MAC'ed by the CPU. */
public record ReportMacStruct(Bytes reportType, Bytes reserved1, Bytes cpuSvn, Bytes teeTcbInfoHash, Bytes teeInfoHash,
                              Bytes reportData, Bytes reserved2, Bytes mac) {
    public static final int SIZE = 256;
    /** The MAC covers every byte before it. */
    public static final int MAC_OFFSET = 224;

    public ReportMacStruct {
        reportType.checkLength("REPORTTYPE", 4);
        reserved1.checkLength("reserved1", 12);
        cpuSvn.checkLength("CPUSVN", 16);
        teeTcbInfoHash.checkLength("TEE_TCB_INFO_HASH", 48);
        teeInfoHash.checkLength("TEE_INFO_HASH", 48);
        reportData.checkLength("REPORTDATA", 64);
        reserved2.checkLength("reserved2", 32);
        mac.checkLength("MAC", 32);
    }

    static ReportMacStruct read(ByteReader r) {
        return new ReportMacStruct(r.bytes("REPORTTYPE", 4), r.bytes("reserved1", 12), r.bytes("CPUSVN", 16),
                r.bytes("TEE_TCB_INFO_HASH", 48), r.bytes("TEE_INFO_HASH", 48), r.bytes("REPORTDATA", 64),
                r.bytes("reserved2", 32), r.bytes("MAC", 32));
    }

    void write(ByteWriter w) {
        w.bytes(reportType).bytes(reserved1).bytes(cpuSvn).bytes(teeTcbInfoHash).bytes(teeInfoHash).bytes(reportData)
                .bytes(reserved2).bytes(mac);
    }

    /** TEE type (0x81 = TDX), byte 0 of REPORTTYPE. */
    public int teeType() {
        return reportType.get(0) & 0xff;
    }

    /** REPORTTYPE version: 0 = TDX 1.0, 1 = TDX 1.5 (SERVTD_HASH and TEE_TCB_SVN2 valid). */
    public int version() {
        return reportType.get(2) & 0xff;
    }
}
