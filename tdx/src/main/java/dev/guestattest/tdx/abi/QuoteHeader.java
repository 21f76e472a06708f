// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;

/**
 * The 48-byte quote header (formats.md §1.2).
 *
 * @param reserved bytes 8..11: reserved in v4/v5 (QE SVN and PCE SVN in SGX v3 quotes)
 * @param userData 20 bytes; the first 16 identify the platform to the QE, the last 4 are zero
 */
public record QuoteHeader(int version, int attestationKeyType, long teeType, Bytes reserved, Bytes qeVendorId,
                          Bytes userData) {
    public static final int SIZE = 48;
    public static final int ATTESTATION_KEY_ECDSA_P256 = 2;
    public static final long TEE_TYPE_TDX = 0x81;
    /** Intel's QE vendor ID. */
    public static final Bytes INTEL_QE_VENDOR_ID = Bytes.fromHex("QE vendor ID", "939a7233f79c4ca9940a0db3957f0607");

    public QuoteHeader {
        reserved.checkLength("reserved", 4);
        qeVendorId.checkLength("qe_vendor_id", 16);
        userData.checkLength("user_data", 20);
    }

    static QuoteHeader read(ByteReader r) {
        return new QuoteHeader(r.u16("version"), r.u16("attestation_key_type"), r.u32("tee_type"),
                r.bytes("reserved", 4), r.bytes("qe_vendor_id", 16), r.bytes("user_data", 20));
    }

    void write(ByteWriter w) {
        w.u16(version).u16(attestationKeyType).u32(teeType).bytes(reserved).bytes(qeVendorId).bytes(userData);
    }
}
