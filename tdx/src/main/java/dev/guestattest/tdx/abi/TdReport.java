// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/**
 * TDREPORT_STRUCT (1024 bytes) from TDG.MR.REPORT (formats.md §1.1). The two SHA-384 hashes in
 * REPORTMACSTRUCT bind TEE_TCB_INFO and TDINFO to the MAC.
 */
public record TdReport(ReportMacStruct reportMac, TeeTcbInfo teeTcbInfo, Bytes reserved, TdInfo tdInfo) {
    public static final int SIZE = 1024;
    public static final int REPORT_DATA_SIZE = 64;
    public static final int TEE_TYPE_TDX = 0x81;

    public TdReport {
        reserved.checkLength("reserved", 17);
    }

    public static TdReport parse(byte[] data) {
        if (data.length != SIZE) {
            throw AttestationException.invalid("tdreport", data.length + " bytes; a TDREPORT is exactly " + SIZE + " bytes");
        }
        ByteReader r = new ByteReader("tdreport", data);
        return new TdReport(ReportMacStruct.read(r), TeeTcbInfo.read(r), r.bytes("reserved", 17), TdInfo.read(r));
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(SIZE);
        reportMac.write(w);
        teeTcbInfo.write(w);
        w.bytes(reserved);
        tdInfo.write(w);
        return w.toByteArray();
    }

    public static byte[] sha384(byte[] data) {
        return dev.guestattest.core.mr.HashAlgorithm.SHA384.hash(data);
    }

    /** TEE_TCB_INFO_HASH == SHA-384(TEE_TCB_INFO). */
    public boolean teeTcbInfoHashMatches() {
        return reportMac.teeTcbInfoHash().equals(Bytes.of(sha384(teeTcbInfo.toBytes())));
    }

    /** TEE_INFO_HASH == SHA-384(TDINFO). */
    public boolean teeInfoHashMatches() {
        return reportMac.teeInfoHash().equals(Bytes.of(sha384(tdInfo.toBytes())));
    }
}
