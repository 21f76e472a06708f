// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.EmulatedPcs;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tpm.azure.AzTdxVtpmEvidence;
import dev.guestattest.tpm.azure.AzTdxVtpmTrusteeEvidence;
import dev.guestattest.tpm.azure.HclReport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * An emulated Azure TDX confidential VM for end-to-end tests: guest-components' az-tdx-vtpm
 * evidence (V2) made as an Azure TDX CVM makes it (guest-components 8246e5e0
 * {@code attestation-agent/attester/src/az_tdx_vtpm/mod.rs}): the paravisor asks the TDX module for a
 * TD report whose REPORTDATA[0:32] is SHA-256 of the runtime-claims JSON (the vTPM AK as an RSA JWK,
 * kid {@code HCLAkPub}, and the report data as {@code user-data}) and stores it in an HCL report;
 * the TD report is quoted (on Azure by IMDS, here by the emulated TDX platform's quoting enclave);
 * and the vTPM quotes its 24 SHA-256 PCRs over the report data. The layout matches Trustee's real
 * test data (trustee 78962cd4 {@code deps/verifier/test_data/az-tdx-vtpm/hcl-report.bin}: HCLA
 * version 2, request type 2, IGVM report type 4, hash type 1).
 *
 * <p>A verifier must trust {@link #roots()}, the emulated platform's root CA (as {@code emulator root
 * --tee tdx} prints it; the az-tdx-vtpm TEE's emulator anchors are the same), and fetch the TD
 * quote's collateral from the emulated PCS ({@link #collateral()}, or the one the broker's tests start).
 */
public final class EmulatedAzureTdxCvm implements AutoCloseable {
    private final TdxEmulatedProvider tdx;
    private final KeyPair ak;
    private final EmulatedVtpm vtpm = new EmulatedVtpm();
    private EmulatedServer pcs;

    private EmulatedAzureTdxCvm(TdxEmulatedProvider tdx, KeyPair ak) {
        this.tdx = tdx;
        this.ak = ak;
    }

    /** A CVM on the emulated TDX platform kept in {@code context}'s state directory (made on first use), with a fresh AK. */
    public static EmulatedAzureTdxCvm open(ProviderContext context) throws GeneralSecurityException {
        return new EmulatedAzureTdxCvm(TdxEmulatedProvider.open(context), EmulatedAzureCvm.rsa());
    }

    /** What a verifier must trust for this CVM: the emulated TDX platform's root CA. */
    public List<X509Certificate> roots() {
        return List.of(tdx.platform().rootCertificate());
    }

    /** A collateral service fetching from an emulated PCS for this platform, started on first use and stopped by {@link #close}. */
    public synchronized CollateralService collateral() {
        if (pcs == null) {
            pcs = EmulatedServer.start("127.0.0.1", 0, List.of(new EmulatedPcs(tdx.platform(), java.time.Instant.now().minusSeconds(60),
                    Duration.ofDays(1), new java.security.SecureRandom())), EmulatedServer.Faults.none(), line -> { });
        }
        return CollateralService.builder().origins(Origins.none().with(Origins.PCS, pcs.uri())).timeout(Duration.ofSeconds(5)).build();
    }

    /** The TD quote's collateral as this project's evidence may bring it (aux part {@code collateral}, dcap-qvl JSON). */
    public Bytes collateralJson() {
        return Bytes.of(EmulatedCollateral.issue(tdx.platform(), java.time.Instant.now().minusSeconds(60), Duration.ofDays(1), false,
                new java.security.SecureRandom()).toDcapQvlJson());
    }

    public RSAPublicKey attestationKey() {
        return (RSAPublicKey) ak.getPublic();
    }

    /** The vTPM's key pair, for attack tests that sign with it what the vTPM would not. */
    public KeyPair signingKey() {
        return ak;
    }

    /** PCR {@code index} := SHA-256(PCR || digest) (init-data goes to PCR 8). */
    public void extend(int index, Bytes digest) {
        vtpm.extend(index, digest);
    }

    public List<Bytes> pcrs() {
        return vtpm.pcrs();
    }

    /** guest-components' primary_evidence for {@code reportData} (the runtime-data digest, unpadded): the V2 JSON. */
    public JsonNode evidence(Bytes reportData) throws GeneralSecurityException {
        byte[] claims = EmulatedAzureCvm.runtimeClaims(ak, reportData);
        return build(hcl(tdReport(claims), claims), quotedTd(claims), vtpm.quote(reportData, ak));
    }

    /** The same as this project's evidence (format az-tdx-vtpm). */
    public dev.guestattest.core.verify.Evidence asEvidence(Bytes reportData) throws GeneralSecurityException {
        return new AzTdxVtpmTrusteeEvidence().read(evidence(reportData));
    }

    /**
     * For attack tests: a vTPM quote over {@code quoteNonce} signed by {@code signer}, with an HCL
     * report whose runtime claims hold this CVM's AK and {@code userData}, and a genuine TD quote whose
     * REPORTDATA binds those claims only if {@code bound} (otherwise the same claims but for the VM id).
     */
    public JsonNode forged(Bytes quoteNonce, Bytes userData, KeyPair signer, boolean bound) throws GeneralSecurityException {
        byte[] claims = EmulatedAzureCvm.runtimeClaims(ak, userData);
        byte[] quoted = bound ? claims : new String(claims, StandardCharsets.UTF_8).replace("\"vmUniqueId\":\"", "\"vmUniqueId\":\"X")
                .getBytes(StandardCharsets.UTF_8);
        return build(hcl(tdReport(quoted), claims), quotedTd(quoted), vtpm.quote(quoteNonce, signer));
    }

    /** The TD report for these runtime claims: REPORTDATA = SHA-256(claims) zero-padded to 64 bytes. */
    private TdReport tdReport(byte[] claims) {
        return tdx.tdReport(Bytes.of(Arrays.copyOf(HashAlgorithm.SHA256.hash(claims), TdReport.REPORT_DATA_SIZE)));
    }

    private byte[] quotedTd(byte[] claims) {
        return tdx.quote(tdReport(claims));
    }

    private JsonNode build(byte[] hcl, byte[] tdQuote, EmulatedAzureCvm.Quote q) {
        return new AzTdxVtpmEvidence(2, Bytes.of(hcl), Bytes.of(tdQuote), q.message(), q.signature(), vtpm.pcrs()).json();
    }

    /** The HCL report: header, the TD report in the 1184-byte hardware-report area, IGVM request data (TDX, SHA-256), the claims. */
    static byte[] hcl(TdReport report, byte[] claims) {
        int size = HclReport.HEADER + HclReport.HW_REPORT + HclReport.IGVM + claims.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("HCLA".getBytes(StandardCharsets.US_ASCII)).putInt(2).putInt(size).putInt(2).putInt(0); // signature, version, size, request, status
        b.position(HclReport.HEADER);
        b.put(report.toBytes());
        b.position(HclReport.HEADER + HclReport.HW_REPORT);
        b.putInt(HclReport.IGVM + claims.length).putInt(1).putInt(HclReport.TYPE_TDX).putInt(1).putInt(claims.length);
        b.put(claims);
        return b.array();
    }

    @Override
    public synchronized void close() {
        if (pcs != null) {
            pcs.close();
        }
        tdx.close();
    }
}
