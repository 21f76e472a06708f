// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.InitDataField;
import dev.guestattest.tdx.abi.TdQuoteBody;
import java.util.List;
import java.util.Optional;

/** What a verified quote says about the TD, for appraisal against reference values. */
public record TdClaims(Bytes mrTd, List<Bytes> rtmrs, Bytes mrConfigId, Bytes mrOwner, Bytes mrOwnerConfig, Bytes mrSeam, Bytes mrSignerSeam,
                       Bytes tdAttributes, boolean debug, Bytes xfam, Bytes reportData, Bytes teeTcbSvn, Optional<Bytes> mrServiceTd) {
    public TdClaims {
        rtmrs = List.copyOf(rtmrs);
    }

    static TdClaims of(TdQuoteBody b) {
        return new TdClaims(b.mrTd(), b.rtmrs(), b.mrConfigId(), b.mrOwner(), b.mrOwnerConfig(), b.mrSeam(), b.mrSignerSeam(), b.tdAttributes(),
                isDebug(b.tdAttributes()), b.xfam(), b.reportData(), b.teeTcbSvn(), b.mrServiceTd());
    }

    public CommonClaims common() {
        java.util.Map<String, Long> svns = new java.util.HashMap<>();
        for (int i = 0; i < teeTcbSvn.length(); i++) {
            svns.put("tee_tcb_svn." + i, (long) (teeTcbSvn.get(i) & 0xff));
        }
        return new CommonClaims("tdx", Optional.of(mrTd), CommonClaims.registers("rtmr", rtmrs), Optional.of(debug), reportData)
                .withTcb(svns).withSigners(java.util.Map.of("mrsigner_seam", mrSignerSeam))
                .withInitDataField(new InitDataField("mr_config_id", mrConfigId, InitDataField.Binding.ZERO_PADDED));
    }

    /** TDATTRIBUTES bit 0 (TUD.DEBUG): the host can read and write the TD's memory. */
    static boolean isDebug(Bytes tdAttributes) {
        return (tdAttributes.get(0) & 1) != 0;
    }
}
