// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/** TEE_TCB_INFO (239 bytes at TDREPORT offset 256): the TDX module's identity and SVNs. */
public record TeeTcbInfo(Bytes valid, Bytes teeTcbSvn, Bytes mrSeam, Bytes mrSignerSeam, Bytes attributes,
                         Bytes teeTcbSvn2, Bytes reserved) {
    public static final int SIZE = 239;

    public TeeTcbInfo {
        valid.checkLength("VALID", 8);
        teeTcbSvn.checkLength("TEE_TCB_SVN", 16);
        mrSeam.checkLength("MRSEAM", 48);
        mrSignerSeam.checkLength("MRSIGNERSEAM", 48);
        attributes.checkLength("ATTRIBUTES", 8);
        teeTcbSvn2.checkLength("TEE_TCB_SVN2", 16);
        reserved.checkLength("reserved", 95);
    }

    static TeeTcbInfo read(ByteReader r) {
        return new TeeTcbInfo(r.bytes("VALID", 8), r.bytes("TEE_TCB_SVN", 16), r.bytes("MRSEAM", 48),
                r.bytes("MRSIGNERSEAM", 48), r.bytes("ATTRIBUTES", 8), r.bytes("TEE_TCB_SVN2", 16), r.bytes("reserved", 95));
    }

    void write(ByteWriter w) {
        w.bytes(valid).bytes(teeTcbSvn).bytes(mrSeam).bytes(mrSignerSeam).bytes(attributes).bytes(teeTcbSvn2).bytes(reserved);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(SIZE);
        write(w);
        return w.toByteArray();
    }
}
