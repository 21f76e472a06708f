// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;
import java.util.List;

/** TDINFO (512 bytes at TDREPORT offset 512): the TD's attributes and measurement registers. */
public record TdInfo(Bytes attributes, Bytes xfam, Bytes mrTd, Bytes mrConfigId, Bytes mrOwner, Bytes mrOwnerConfig,
                     List<Bytes> rtmrs, Bytes servTdHash, Bytes reserved) {
    public static final int SIZE = 512;
    public static final int MR_SIZE = 48;
    public static final int RTMR_COUNT = 4;

    public TdInfo {
        attributes.checkLength("ATTRIBUTES", 8);
        xfam.checkLength("XFAM", 8);
        mrTd.checkLength("MRTD", MR_SIZE);
        mrConfigId.checkLength("MRCONFIGID", MR_SIZE);
        mrOwner.checkLength("MROWNER", MR_SIZE);
        mrOwnerConfig.checkLength("MROWNERCONFIG", MR_SIZE);
        rtmrs = List.copyOf(rtmrs);
        if (rtmrs.size() != RTMR_COUNT) {
            throw dev.guestattest.core.AttestationException.invalid("RTMR", "needs exactly 4 registers, got " + rtmrs.size());
        }
        rtmrs.forEach(r -> r.checkLength("RTMR", MR_SIZE));
        servTdHash.checkLength("SERVTD_HASH", MR_SIZE);
        reserved.checkLength("reserved", 64);
    }

    static TdInfo read(ByteReader r) {
        return new TdInfo(r.bytes("ATTRIBUTES", 8), r.bytes("XFAM", 8), r.bytes("MRTD", MR_SIZE),
                r.bytes("MRCONFIGID", MR_SIZE), r.bytes("MROWNER", MR_SIZE), r.bytes("MROWNERCONFIG", MR_SIZE),
                List.of(r.bytes("RTMR0", MR_SIZE), r.bytes("RTMR1", MR_SIZE), r.bytes("RTMR2", MR_SIZE), r.bytes("RTMR3", MR_SIZE)),
                r.bytes("SERVTD_HASH", MR_SIZE), r.bytes("reserved", 64));
    }

    void write(ByteWriter w) {
        w.bytes(attributes).bytes(xfam).bytes(mrTd).bytes(mrConfigId).bytes(mrOwner).bytes(mrOwnerConfig);
        rtmrs.forEach(w::bytes);
        w.bytes(servTdHash).bytes(reserved);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(SIZE);
        write(w);
        return w.toByteArray();
    }
}
