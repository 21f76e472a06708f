// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Certification data: a type and its bytes (formats.md §1.4). Type 6 wraps the QE report and an
 * inner type-5 PCK chain; type 5 is the PEM chain (leaf, intermediate, root), maybe NUL-terminated.
 */
public record CertificationData(int type, Bytes data) {
    public static final int PPID_CLEARTEXT = 1;
    public static final int PPID_RSA2048_OAEP = 2;
    public static final int PPID_RSA3072_OAEP = 3;
    public static final int PCK_LEAF = 4;
    public static final int PCK_CERT_CHAIN = 5;
    public static final int QE_REPORT = 6;
    public static final int PLATFORM_MANIFEST = 7;
    /** Certification data is a few KiB; anything near this bound is not a quote. */
    public static final int MAX_SIZE = 1 << 20;

    public CertificationData {
        if (type < 0 || type > 0xffff) {
            throw AttestationException.invalid("certification_data_type", type + " is outside 0..65535");
        }
    }

    static CertificationData read(ByteReader r, String prefix) {
        int type = r.u16(prefix + "type");
        int size = r.length32(prefix + "size", MAX_SIZE);
        return new CertificationData(type, r.bytes(prefix + "data", size));
    }

    void write(ByteWriter w) {
        w.u16(type).u32(data.length()).bytes(data);
    }

    /** The QE report certification data inside a type-6 entry. */
    public QeReportCertificationData qeReportCertificationData() {
        expect(QE_REPORT);
        return QeReportCertificationData.parse(data.toArray());
    }

    /** The PEM text of a type-5 chain, without the trailing NUL some QEs add. */
    public String pemChain() {
        expect(PCK_CERT_CHAIN);
        byte[] raw = data.toArray();
        int end = raw.length;
        while (end > 0 && raw[end - 1] == 0) {
            end--;
        }
        return new String(raw, 0, end, StandardCharsets.US_ASCII);
    }

    private void expect(int wanted) {
        if (type != wanted) {
            throw AttestationException.of(Reason.UNSUPPORTED,
                    "certification_data_type: " + type + ", expected " + wanted);
        }
    }
}
