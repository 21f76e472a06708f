// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/**
 * An Intel TDX quote, version 4 or 5 (formats.md §1.2-1.4). Parsing trusts no length field;
 * bytes after the signature data are kept in {@link #trailing()} (real quotes carry them), so
 * {@link #toBytes()} reproduces the input exactly.
 */
public record Quote(QuoteHeader header, TdQuoteBody body, QuoteSignatureData signatureData, Bytes trailing) {
    public static final int V4 = 4;
    public static final int V5 = 5;
    private static final int V5_DESCRIPTOR = 6;

    public Quote {
        if (header.version() != V4 && header.version() != V5) {
            throw AttestationException.invalid("version", header.version() + "; a TD quote is version 4 or 5");
        }
        if (header.version() == V4 && body.isTdx15()) {
            throw AttestationException.invalid("body", "a version 4 quote carries only the TDX 1.0 body; use version 5");
        }
    }

    public static Quote parse(byte[] data) {
        ByteReader r = new ByteReader("quote", data);
        QuoteHeader header = QuoteHeader.read(r);
        if (header.version() == 3) {
            throw AttestationException.of(Reason.UNSUPPORTED, "quote.version: 3 is an SGX enclave quote, not a TD quote");
        }
        if (header.version() != V4 && header.version() != V5) {
            throw AttestationException.invalid("quote.version", header.version() + " is not a TD quote version (4 or 5)");
        }
        if (header.attestationKeyType() != QuoteHeader.ATTESTATION_KEY_ECDSA_P256) {
            throw AttestationException.of(Reason.UNSUPPORTED, "quote.attestation_key_type: "
                    + header.attestationKeyType() + "; only 2 (ECDSA-256-with-P-256) is in use");
        }
        if (header.teeType() != QuoteHeader.TEE_TYPE_TDX) {
            throw AttestationException.of(Reason.UNSUPPORTED, String.format(
                    "quote.tee_type: 0x%08x; a TD quote has 0x00000081", header.teeType()));
        }
        boolean tdx15 = false;
        if (header.version() == V5) {
            int type = r.u16("body_type");
            long size = r.u32("body_size");
            if (type == TdQuoteBody.TYPE_TDX10 || type == TdQuoteBody.TYPE_TDX15) {
                tdx15 = type == TdQuoteBody.TYPE_TDX15;
                long want = tdx15 ? TdQuoteBody.TDX15_SIZE : TdQuoteBody.TDX10_SIZE;
                if (size != want) {
                    throw AttestationException.invalid("quote.body_size", size + " for body type " + type + ", must be " + want);
                }
            } else if (type == 1) {
                throw AttestationException.of(Reason.UNSUPPORTED, "quote.body_type: 1 is an SGX enclave report body");
            } else {
                throw AttestationException.invalid("quote.body_type", type + " is not 2 (TDX 1.0) or 3 (TDX 1.5)");
            }
        }
        TdQuoteBody body = TdQuoteBody.read(r, tdx15);
        int signatureLength = r.length32("signature_data_len", CertificationData.MAX_SIZE + 134);
        int start = r.position();
        ByteReader sig = new ByteReader("quote.signature_data", data, start, start + signatureLength);
        QuoteSignatureData signatureData = QuoteSignatureData.read(sig);
        if (sig.remaining() != 0) {
            throw AttestationException.invalid("quote.signature_data_len", signatureLength + " declared but the signature data uses "
                    + (signatureLength - sig.remaining()));
        }
        ByteReader rest = new ByteReader("quote", data, start + signatureLength, data.length);
        return new Quote(header, body, signatureData, rest.rest());
    }

    public int version() {
        return header.version();
    }

    /** The bytes the attestation key signs: header, the v5 body descriptor, and the body. */
    public byte[] signedRegion() {
        ByteWriter w = new ByteWriter(QuoteHeader.SIZE + V5_DESCRIPTOR + body.size());
        writeSigned(w);
        return w.toByteArray();
    }

    private void writeSigned(ByteWriter w) {
        header.write(w);
        if (version() == V5) {
            w.u16(body.bodyType()).u32(body.size());
        }
        body.write(w);
    }

    public byte[] toBytes() {
        int sigSize = signatureData.size();
        ByteWriter w = new ByteWriter(QuoteHeader.SIZE + V5_DESCRIPTOR + body.size() + 4 + sigSize + trailing.length());
        writeSigned(w);
        w.u32(sigSize);
        signatureData.write(w);
        w.bytes(trailing);
        return w.toByteArray();
    }

    /** The QE report certification data (type 6), which every DCAP TD quote carries. */
    public QeReportCertificationData qeReportCertificationData() {
        return signatureData.certificationData().qeReportCertificationData();
    }
}
