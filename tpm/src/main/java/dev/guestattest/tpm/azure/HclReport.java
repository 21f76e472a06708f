// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Optional;

/**
 * The report an Azure CVM's paravisor (HCL) writes to the vTPM's NV index, as az-cvm-vtpm 0.8.1's
 * {@code hcl::HclReport} reads it (trustee 78962cd4 {@code deps/verifier/src/az_tdx_vtpm/mod.rs} and
 * {@code az_snp_vtpm/mod.rs} use it, and its test data {@code deps/verifier/test_data/az-tdx-vtpm/hcl-report.bin}
 * has this layout): a 32-byte
 * header ("HCLA", version, size, request type, status, reserved), the hardware report (1184 bytes:
 * an SNP report, or a 1024-byte TD report zero-padded), the IGVM request data (data size, version,
 * report type 2 = SNP or 4 = TDX, report-data hash type, variable-data size; five little-endian u32)
 * and the variable data: the runtime-claims JSON holding the vTPM attestation key (kid
 * {@code HCLAkPub}) and {@code user-data}. The hardware report's REPORTDATA[0:32] is SHA-256 of the
 * variable data exactly as stored (Azure pads the buffer after it with spaces, not counted).
 *
 * <p>Nothing here is signed: what it says counts only once the hardware report, or the quote made
 * from it, binds the runtime claims.
 */
public record HclReport(Bytes bytes) {
    public static final int HEADER = 32;
    public static final int HW_REPORT = 1184;
    public static final int IGVM = 20;
    /** IGVM {@code report_type} values (az-cvm-vtpm {@code ReportType}). */
    public static final int TYPE_SNP = 2;
    public static final int TYPE_TDX = 4;
    /** Far beyond a real one (2600 bytes), so a wrong member is caught before it is read. */
    static final int MAX = 64 * 1024;

    /** Refuses, naming {@code hcl_report}, anything that is not an HCLA report whose variable data lies inside it. */
    public HclReport {
        byte[] h = bytes.toArray();
        if (h.length < HEADER + HW_REPORT + IGVM || h.length > MAX || !new String(h, 0, 4, StandardCharsets.US_ASCII).equals("HCLA")) {
            throw AttestationException.invalid("HCL report", "is not an HCLA report of " + (HEADER + HW_REPORT + IGVM) + ".." + MAX + " bytes");
        }
        long size = u32(h, HEADER + HW_REPORT + 16);
        if (size > h.length - HEADER - HW_REPORT - IGVM) {
            throw AttestationException.invalid("HCL report", "runtime data size " + size + " exceeds the report");
        }
    }

    private static long u32(byte[] h, int at) {
        return ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(at) & 0xffffffffL;
    }

    /** The IGVM request's report type: {@link #TYPE_SNP} or {@link #TYPE_TDX} for the reports Azure makes. */
    public long reportType() {
        return u32(bytes.toArray(), HEADER + HW_REPORT + 8);
    }

    /** The hardware report area (an SNP report, or a TD report followed by zeros), not verified here. */
    public Bytes hardwareReport() {
        return Bytes.of(bytes.toArray(), HEADER, HW_REPORT);
    }

    /** The runtime-claims JSON exactly as stored: what the hardware report's REPORTDATA hashes. */
    public Bytes runtimeClaims() {
        return Bytes.of(bytes.toArray(), HEADER + HW_REPORT + IGVM, (int) u32(bytes.toArray(), HEADER + HW_REPORT + 16));
    }

    /** The vTPM attestation key from the runtime claims (kid HCLAkPub, an RSA JWK). */
    public PublicKey attestationKey() {
        try {
            JsonNode claims = new ObjectMapper().readTree(runtimeClaims().toArray());
            for (JsonNode k : claims == null ? java.util.List.<JsonNode>of() : claims.path("keys")) {
                if ("HCLAkPub".equals(k.path("kid").asText())) {
                    BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("n").asText()));
                    BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("e").asText()));
                    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
                }
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw AttestationException.invalid("runtime claims", "unreadable HCLAkPub: " + e.getMessage());
        }
        throw AttestationException.invalid("runtime claims", "have no HCLAkPub key");
    }

    /** The runtime claims' {@code user-data} (hex text), when they have one; unreadable claims are refused by name. */
    public Optional<Bytes> userData() {
        JsonNode claims;
        try {
            claims = new ObjectMapper().readTree(runtimeClaims().toArray());
        } catch (IOException e) {
            throw AttestationException.invalid("runtime claims", "are not JSON: " + e.getMessage());
        }
        JsonNode u = claims == null ? null : claims.get("user-data");
        if (u == null || !u.isTextual()) {
            return Optional.empty();
        }
        return Optional.of(Bytes.fromHex("runtime claims user-data", u.asText()));
    }
}
