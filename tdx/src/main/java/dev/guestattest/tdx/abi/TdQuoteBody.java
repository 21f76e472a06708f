// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;
import java.util.List;
import java.util.Optional;

/**
 * The TD quote body: TDX 1.0 (584 bytes, body type 2) or TDX 1.5 (648 bytes, body type 3, adding
 * TEE_TCB_SVN_2 and MRSERVICETD). Field names as Intel names them (formats.md §1.3).
 */
public record TdQuoteBody(Bytes teeTcbSvn, Bytes mrSeam, Bytes mrSignerSeam, Bytes seamAttributes, Bytes tdAttributes,
                          Bytes xfam, Bytes mrTd, Bytes mrConfigId, Bytes mrOwner, Bytes mrOwnerConfig, List<Bytes> rtmrs,
                          Bytes reportData, Optional<Bytes> teeTcbSvn2, Optional<Bytes> mrServiceTd) {
    public static final int TDX10_SIZE = 584;
    public static final int TDX15_SIZE = 648;
    public static final int TYPE_TDX10 = 2;
    public static final int TYPE_TDX15 = 3;

    public TdQuoteBody {
        teeTcbSvn.checkLength("TEE_TCB_SVN", 16);
        mrSeam.checkLength("MRSEAM", 48);
        mrSignerSeam.checkLength("MRSIGNERSEAM", 48);
        seamAttributes.checkLength("SEAMATTRIBUTES", 8);
        tdAttributes.checkLength("TDATTRIBUTES", 8);
        xfam.checkLength("XFAM", 8);
        mrTd.checkLength("MRTD", 48);
        mrConfigId.checkLength("MRCONFIGID", 48);
        mrOwner.checkLength("MROWNER", 48);
        mrOwnerConfig.checkLength("MROWNERCONFIG", 48);
        rtmrs = List.copyOf(rtmrs);
        if (rtmrs.size() != 4) {
            throw AttestationException.invalid("RTMR", "needs exactly 4 registers, got " + rtmrs.size());
        }
        rtmrs.forEach(r -> r.checkLength("RTMR", 48));
        reportData.checkLength("REPORTDATA", 64);
        if (teeTcbSvn2.isPresent() != mrServiceTd.isPresent()) {
            throw AttestationException.invalid("TEE_TCB_SVN_2", "TDX 1.5 fields come together: set both or neither");
        }
        teeTcbSvn2.ifPresent(b -> b.checkLength("TEE_TCB_SVN_2", 16));
        mrServiceTd.ifPresent(b -> b.checkLength("MRSERVICETD", 48));
    }

    /** The body a Quoting Enclave makes from a TDREPORT: TDX 1.5 layout when {@code tdx15}. */
    public static TdQuoteBody fromTdReport(TdReport report, boolean tdx15) {
        TeeTcbInfo tcb = report.teeTcbInfo();
        TdInfo td = report.tdInfo();
        return new TdQuoteBody(tcb.teeTcbSvn(), tcb.mrSeam(), tcb.mrSignerSeam(), tcb.attributes(), td.attributes(),
                td.xfam(), td.mrTd(), td.mrConfigId(), td.mrOwner(), td.mrOwnerConfig(), td.rtmrs(),
                report.reportMac().reportData(),
                tdx15 ? Optional.of(tcb.teeTcbSvn2()) : Optional.empty(),
                tdx15 ? Optional.of(td.servTdHash()) : Optional.empty());
    }

    public boolean isTdx15() {
        return teeTcbSvn2.isPresent();
    }

    public int size() {
        return isTdx15() ? TDX15_SIZE : TDX10_SIZE;
    }

    public int bodyType() {
        return isTdx15() ? TYPE_TDX15 : TYPE_TDX10;
    }

    static TdQuoteBody read(ByteReader r, boolean tdx15) {
        return new TdQuoteBody(r.bytes("TEE_TCB_SVN", 16), r.bytes("MRSEAM", 48), r.bytes("MRSIGNERSEAM", 48),
                r.bytes("SEAMATTRIBUTES", 8), r.bytes("TDATTRIBUTES", 8), r.bytes("XFAM", 8), r.bytes("MRTD", 48),
                r.bytes("MRCONFIGID", 48), r.bytes("MROWNER", 48), r.bytes("MROWNERCONFIG", 48),
                List.of(r.bytes("RTMR0", 48), r.bytes("RTMR1", 48), r.bytes("RTMR2", 48), r.bytes("RTMR3", 48)),
                r.bytes("REPORTDATA", 64),
                tdx15 ? Optional.of(r.bytes("TEE_TCB_SVN_2", 16)) : Optional.empty(),
                tdx15 ? Optional.of(r.bytes("MRSERVICETD", 48)) : Optional.empty());
    }

    void write(ByteWriter w) {
        w.bytes(teeTcbSvn).bytes(mrSeam).bytes(mrSignerSeam).bytes(seamAttributes).bytes(tdAttributes).bytes(xfam)
                .bytes(mrTd).bytes(mrConfigId).bytes(mrOwner).bytes(mrOwnerConfig);
        rtmrs.forEach(w::bytes);
        w.bytes(reportData);
        teeTcbSvn2.ifPresent(w::bytes);
        mrServiceTd.ifPresent(w::bytes);
    }
}
