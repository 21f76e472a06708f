// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/** The 384-byte SGX enclave report body; here, the Quoting Enclave's report (formats.md §1.3). */
public record EnclaveReportBody(Bytes cpuSvn, long miscSelect, Bytes reserved1, Bytes isvExtProdId, Bytes attributes,
                                Bytes mrEnclave, Bytes reserved2, Bytes mrSigner, Bytes reserved3, Bytes configId,
                                int isvProdId, int isvSvn, int configSvn, Bytes reserved4, Bytes isvFamilyId,
                                Bytes reportData) {
    public static final int SIZE = 384;

    public EnclaveReportBody {
        cpuSvn.checkLength("CPUSVN", 16);
        reserved1.checkLength("reserved1", 12);
        isvExtProdId.checkLength("ISVEXTPRODID", 16);
        attributes.checkLength("ATTRIBUTES", 16);
        mrEnclave.checkLength("MRENCLAVE", 32);
        reserved2.checkLength("reserved2", 32);
        mrSigner.checkLength("MRSIGNER", 32);
        reserved3.checkLength("reserved3", 32);
        configId.checkLength("CONFIGID", 64);
        reserved4.checkLength("reserved4", 42);
        isvFamilyId.checkLength("ISVFAMILYID", 16);
        reportData.checkLength("REPORTDATA", 64);
    }

    public static EnclaveReportBody parse(byte[] data) {
        ByteReader r = new ByteReader("qe_report", data);
        EnclaveReportBody body = read(r);
        r.require("end", 0);
        return body;
    }

    static EnclaveReportBody read(ByteReader r) {
        return new EnclaveReportBody(r.bytes("CPUSVN", 16), r.u32("MISCSELECT"), r.bytes("reserved1", 12),
                r.bytes("ISVEXTPRODID", 16), r.bytes("ATTRIBUTES", 16), r.bytes("MRENCLAVE", 32), r.bytes("reserved2", 32),
                r.bytes("MRSIGNER", 32), r.bytes("reserved3", 32), r.bytes("CONFIGID", 64), r.u16("ISVPRODID"),
                r.u16("ISVSVN"), r.u16("CONFIGSVN"), r.bytes("reserved4", 42), r.bytes("ISVFAMILYID", 16),
                r.bytes("REPORTDATA", 64));
    }

    void write(ByteWriter w) {
        w.bytes(cpuSvn).u32(miscSelect).bytes(reserved1).bytes(isvExtProdId).bytes(attributes).bytes(mrEnclave)
                .bytes(reserved2).bytes(mrSigner).bytes(reserved3).bytes(configId).u16(isvProdId).u16(isvSvn)
                .u16(configSvn).bytes(reserved4).bytes(isvFamilyId).bytes(reportData);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(SIZE);
        write(w);
        return w.toByteArray();
    }
}
