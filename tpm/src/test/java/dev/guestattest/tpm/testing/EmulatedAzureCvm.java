// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.tpm.azure.AzSnpVtpmTrusteeEvidence;
import dev.guestattest.tpm.azure.AzureCvmEvidence;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * An emulated Azure SEV-SNP confidential VM for end-to-end tests: guest-components' az-snp-vtpm
 * evidence (V2) made as an Azure CVM makes it (guest-components 8246e5e0
 * {@code attestation-agent/attester/src/az_snp_vtpm/mod.rs}): an HCL report whose SNP report comes
 * from the emulated SNP chip with REPORT_DATA[0:32] = SHA-256 of the runtime-claims JSON, that JSON
 * holding the vTPM attestation key as an RSA JWK (kid {@code HCLAkPub}) and the report data as
 * {@code user-data}, and a vTPM quote of the 24 SHA-256 PCRs over that report data.
 *
 * <p>The vTPM is software, as Azure's is (the paravisor's): an RSA-2048 key signing a TPMS_ATTEST
 * marshalled here (TPM_GENERATED, ATTEST_QUOTE, the PCR selection and digest of real SHA-256
 * extends), since a verifier sees only those bytes. {@code EmulatedAzureCvmTest} also verifies a
 * quote from a real TPM (swtpm) in the same evidence, so the marshalling is checked against one.
 *
 * <p>A verifier must trust {@link #roots()}: the emulated chip's ARK (and its ASK/ASVK), as
 * {@code emulator root --tee snp} prints them; the az-snp-vtpm TEE's emulator anchors are the same.
 */
public final class EmulatedAzureCvm {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int HEADER = 32;
    static final int IGVM = 20;

    private final SnpEmulatedProvider snp;
    private final KeyPair ak;
    private final EmulatedVtpm vtpm = new EmulatedVtpm();

    private EmulatedAzureCvm(SnpEmulatedProvider snp, KeyPair ak) {
        this.snp = snp;
        this.ak = ak;
    }

    /** A CVM on the emulated SNP chip kept in {@code context}'s state directory (made on first use, which takes seconds), with a fresh AK. */
    public static EmulatedAzureCvm open(ProviderContext context) throws GeneralSecurityException {
        return new EmulatedAzureCvm(SnpEmulatedProvider.open(context), rsa());
    }

    public static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** What a verifier must trust for this CVM: the emulated chip's ARK, ASK and ASVK. */
    public List<X509Certificate> roots() {
        EmulatedSnpPlatform chip = snp.chip();
        return List.of(chip.arkCertificate(), chip.askCertificate(), chip.asvkCertificate());
    }

    /** The vTPM attestation key the runtime claims publish. */
    public RSAPublicKey attestationKey() {
        return (RSAPublicKey) ak.getPublic();
    }

    /** The vTPM's key pair, for attack tests that sign with it what the vTPM would not. */
    public KeyPair signingKey() {
        return ak;
    }

    /** PCR {@code index} := SHA-256(PCR || digest), as TPM2_PCR_Extend does (init-data goes to PCR 8). */
    public void extend(int index, Bytes digest) {
        vtpm.extend(index, digest);
    }

    public List<Bytes> pcrs() {
        return vtpm.pcrs();
    }

    /** guest-components' primary_evidence for {@code reportData} (the runtime-data digest, unpadded): the V2 JSON. */
    public JsonNode evidence(Bytes reportData) throws GeneralSecurityException {
        return build(reportData, ak, runtimeClaims(ak, reportData));
    }

    /** The same as this project's evidence (format az-snp-vtpm). */
    public dev.guestattest.core.verify.Evidence asEvidence(Bytes reportData) throws GeneralSecurityException {
        return new AzSnpVtpmTrusteeEvidence().read(evidence(reportData));
    }

    /**
     * For attack tests: a quote over {@code quoteNonce} signed by {@code signer}, with an HCL report whose
     * runtime claims hold this CVM's AK and {@code userData}, bound by REPORT_DATA only if {@code bound}.
     */
    public JsonNode forged(Bytes quoteNonce, Bytes userData, KeyPair signer, boolean bound) throws GeneralSecurityException {
        byte[] claims = runtimeClaims(ak, userData);
        if (bound) {
            return build(quoteNonce, signer, claims);
        }
        // REPORT_DATA binds other claims than the ones sent: the same but for the VM id
        byte[] other = new String(claims, StandardCharsets.UTF_8).replace("\"vmUniqueId\":\"", "\"vmUniqueId\":\"X")
                .getBytes(StandardCharsets.UTF_8);
        ObjectNode e = (ObjectNode) build(quoteNonce, signer, other);
        byte[] hcl = Base64.getUrlDecoder().decode(e.get("hcl_report").asText());
        e.put("hcl_report", Base64.getUrlEncoder().encodeToString(hcl(Arrays.copyOfRange(hcl, HEADER, HEADER + 1184), claims)));
        return e;
    }

    /** A quote as any TPM answers TPM2_Quote: what {@code signer} signs and the raw RSASSA signature. */
    public record Quote(Bytes message, Bytes signature) {
    }

    /** This vTPM's quote of all 24 SHA-256 PCRs over {@code nonce}. */
    public Quote quote(Bytes nonce, KeyPair signer) throws GeneralSecurityException {
        return vtpm.quote(nonce, signer);
    }

    /** The evidence around a quote made elsewhere (a real TPM's, of PCRs {@code values}), whose AK is {@code akPublic}. */
    public JsonNode around(Quote quote, List<Bytes> values, RSAPublicKey akPublic, Bytes userData) {
        return json(hclWithReport(runtimeClaims(akPublic, userData)), quote, values);
    }

    private JsonNode build(Bytes quoteNonce, KeyPair signer, byte[] claims) throws GeneralSecurityException {
        return json(hclWithReport(claims), quote(quoteNonce, signer), pcrs());
    }

    private JsonNode json(byte[] hcl, Quote q, List<Bytes> values) {
        byte[] vcek = CertTable.parse(snp.report(ReportRequest.of(new byte[64])).auxblob().toArray()).find(CertTable.VCEK).orElseThrow()
                .toArray();
        return AzSnpVtpmTrusteeEvidence.json(new AzSnpVtpmTrusteeEvidence.Versioned(2, new AzureCvmEvidence(Bytes.of(hcl), Bytes.of(vcek),
                q.message(), q.signature(), values)));
    }

    /** The HCL report: header, the chip's SNP report with REPORT_DATA[0:32] = SHA-256(claims), IGVM request data, the claims. */
    private byte[] hclWithReport(byte[] claims) {
        byte[] reportData = Arrays.copyOf(HashAlgorithm.SHA256.hash(claims), 64);
        byte[] report = snp.report(ReportRequest.of(reportData)).outblob().toArray();
        return hcl(report, claims);
    }

    private static byte[] hcl(byte[] report, byte[] claims) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + report.length + IGVM + claims.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("HCLA".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(HEADER + report.length + IGVM + claims.length).putInt(2).putInt(0);
        b.position(HEADER);
        b.put(report);
        b.putInt(IGVM + claims.length).putInt(1).putInt(2).putInt(1).putInt(claims.length); // data size, version, SNP, SHA-256, var size
        b.put(claims);
        return b.array();
    }

    /** The runtime claims as the HCL writes them: the AK as a JWK, the VM configuration, and user-data (64 bytes, upper-case hex). */
    static byte[] runtimeClaims(RSAPublicKey key, Bytes userData) {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode k = n.putArray("keys").addObject();
        k.put("kid", "HCLAkPub");
        k.putArray("key_ops").add("sign");
        k.put("kty", "RSA");
        k.put("e", Base64.getUrlEncoder().withoutPadding().encodeToString(unsigned(key.getPublicExponent())));
        k.put("n", Base64.getUrlEncoder().withoutPadding().encodeToString(unsigned(key.getModulus())));
        n.putObject("vm-configuration").put("console-enabled", false).put("secure-boot", true).put("tpm-enabled", true)
                .put("vmUniqueId", "00000000-0000-4000-8000-000000000000");
        n.put("user-data", Bytes.of(Arrays.copyOf(userData.toArray(), Math.max(64, userData.length()))).hex().toUpperCase(Locale.ROOT));
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] runtimeClaims(KeyPair key, Bytes userData) {
        return runtimeClaims((RSAPublicKey) key.getPublic(), userData);
    }

    private static byte[] unsigned(java.math.BigInteger v) {
        byte[] b = v.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
