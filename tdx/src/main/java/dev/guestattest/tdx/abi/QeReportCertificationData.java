// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/**
 * Type-6 certification data: the QE report, its signature by the PCK key, the QE auth data and
 * the inner certification data (the PCK chain) (formats.md §1.4).
 */
public record QeReportCertificationData(EnclaveReportBody qeReport, Bytes qeReportSignature, Bytes qeAuthData,
                                        CertificationData pckCertificationData) {
    public QeReportCertificationData {
        qeReportSignature.checkLength("qe_report_signature", 64);
        if (qeAuthData.length() > 0xffff) {
            throw dev.guestattest.core.AttestationException.invalid("qe_auth_data", qeAuthData.length() + " bytes exceeds 65535");
        }
    }

    public static QeReportCertificationData parse(byte[] data) {
        ByteReader r = new ByteReader("qe_report_certification_data", data);
        EnclaveReportBody report = EnclaveReportBody.read(r);
        Bytes signature = r.bytes("qe_report_signature", 64);
        int authSize = r.u16("qe_auth_data_size");
        Bytes auth = r.bytes("qe_auth_data", authSize);
        CertificationData inner = CertificationData.read(r, "certification_data_");
        if (r.remaining() != 0) {
            throw dev.guestattest.core.AttestationException.invalid("qe_report_certification_data",
                    r.remaining() + " unexpected bytes after the inner certification data");
        }
        return new QeReportCertificationData(report, signature, auth, inner);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(EnclaveReportBody.SIZE + 128 + pckCertificationData.data().length());
        qeReport.write(w);
        w.bytes(qeReportSignature).u16(qeAuthData.length()).bytes(qeAuthData);
        pckCertificationData.write(w);
        return w.toByteArray();
    }

    public CertificationData asCertificationData() {
        return new CertificationData(CertificationData.QE_REPORT, Bytes.of(toBytes()));
    }
}
