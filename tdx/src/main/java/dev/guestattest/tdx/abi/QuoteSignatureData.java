// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/**
 * ECDSA-256 quote signature data: the quote signature (raw r||s, big-endian), the attestation
 * public key (raw x||y) and the certification data (formats.md §1.4).
 */
public record QuoteSignatureData(Bytes signature, Bytes attestationKey, CertificationData certificationData) {
    public QuoteSignatureData {
        signature.checkLength("quote_signature", 64);
        attestationKey.checkLength("attestation_key", 64);
    }

    static QuoteSignatureData read(ByteReader r) {
        return new QuoteSignatureData(r.bytes("quote_signature", 64), r.bytes("attestation_key", 64),
                CertificationData.read(r, "certification_data_"));
    }

    int size() {
        return 64 + 64 + 2 + 4 + certificationData.data().length();
    }

    void write(ByteWriter w) {
        w.bytes(signature).bytes(attestationKey);
        certificationData.write(w);
    }
}
