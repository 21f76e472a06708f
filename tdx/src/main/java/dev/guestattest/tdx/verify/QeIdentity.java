// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.time.Instant;
import java.util.List;

/** Intel's TD QE Identity (PCS v4, {@code id "TD_QE"}, version 2), parsed from the signed JSON text. */
public record QeIdentity(String id, int version, Instant issueDate, Instant nextUpdate, Bytes miscselect, Bytes miscselectMask,
                         Bytes attributes, Bytes attributesMask, Bytes mrsigner, int isvProdId, List<TcbInfo.IsvLevel> levels) {
    public QeIdentity {
        levels = List.copyOf(levels);
    }

    public static QeIdentity parse(String raw) {
        SignedJson j = SignedJson.parse("qe_identity", raw);
        String id = j.text("id");
        int version = j.integer("version", Integer.MAX_VALUE);
        if (!id.equals("TD_QE") || version != 2) {
            throw AttestationException.invalid("qe_identity", "id '" + id + "' version " + version + " is not TD QE Identity version 2");
        }
        return new QeIdentity(id, version, j.instant("issueDate"), j.instant("nextUpdate"), j.hex("miscselect", 4),
                j.hex("miscselectMask", 4), j.hex("attributes", 16), j.hex("attributesMask", 16), j.hex("mrsigner", 32),
                j.integer("isvprodid", 0xffff), TcbInfo.isvLevels(j));
    }
}
