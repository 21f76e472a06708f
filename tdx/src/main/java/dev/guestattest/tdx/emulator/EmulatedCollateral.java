// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.StateLock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.verify.Collateral;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The collateral Intel's PCS would serve for the emulated platform, in the same layout: PCK and
 * root CA CRLs, TCB Info and QE Identity signed by the emulator's own TCB signing key (issued by
 * its root), so the whole verification path runs without Intel.
 */
public final class EmulatedCollateral {
    static final String TCB_SIGNING_CERT = "tcb-signing.pem";
    static final String TCB_SIGNING_KEY = "tcb-signing.key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ZEROS_48 = "00".repeat(48);

    private EmulatedCollateral() {
    }

    /**
     * Collateral valid from {@code now} for {@code validity}; with {@code revokePck} the PCK CRL
     * revokes the platform's PCK certificate (for testing relying parties).
     */
    public static Collateral issue(EmulatedPlatform platform, Instant now, Duration validity, boolean revokePck, SecureRandom random) {
        if (validity.isNegative() || validity.isZero()) {
            throw AttestationException.invalid("collateral validity", "must be positive, got " + validity);
        }
        Instant issued = now.truncatedTo(ChronoUnit.SECONDS);
        Instant next = issued.plus(validity);
        X509Certificate root = platform.rootCertificate();
        PrivateKey rootKey = platform.rootKey();
        KeyPair signing = tcbSigningKey(platform, rootKey, issued, random);
        X509Certificate signingCert = PemFiles.readCertificate(platform.directory().resolve(TCB_SIGNING_CERT));
        byte[] rootCrl = PckCertificates.crl(root, rootKey, issued, next, List.of());
        List<BigInteger> revoked = revokePck ? List.of(platform.pckCertificate().getSerialNumber()) : List.of();
        byte[] pckCrl = PckCertificates.crl(platform.platformCaCertificate(), platform.platformCaKey(), issued, next, revoked);
        String tcbInfo = tcbInfo(platform.tcb(), issued, next);
        String qeIdentity = qeIdentity(issued, next);
        String signingChain = pem(signingCert) + pem(root);
        return new Collateral(pem(platform.platformCaCertificate()) + pem(root), Bytes.of(rootCrl), Bytes.of(pckCrl), signingChain,
                tcbInfo, Bytes.of(sign(signing.getPrivate(), tcbInfo)), signingChain, qeIdentity, Bytes.of(sign(signing.getPrivate(), qeIdentity)));
    }

    /** The TCB signing key and certificate, made on first use and kept with the platform. */
    private static KeyPair tcbSigningKey(EmulatedPlatform platform, PrivateKey rootKey, Instant now, SecureRandom random) {
        Path dir = platform.directory();
        return StateLock.with(dir, () -> {
            if (!Files.exists(dir.resolve(TCB_SIGNING_CERT))) {
                KeyPair key = PckCertificates.newKeyPair(random);
                PemFiles.writePrivateKey(dir.resolve(TCB_SIGNING_KEY), key.getPrivate());
                PemFiles.writeCertificate(dir.resolve(TCB_SIGNING_CERT),
                        PckCertificates.tcbSigning(key, platform.rootCertificate(), rootKey, now, random));
            }
            X509Certificate cert = PemFiles.readCertificate(dir.resolve(TCB_SIGNING_CERT));
            return new KeyPair(cert.getPublicKey(), PemFiles.readPrivateKey(dir.resolve(TCB_SIGNING_KEY)));
        });
    }

    /** TCB Info v3 for the platform: its own level UpToDate, and an older OutOfDate level with an advisory. */
    static String tcbInfo(PlatformTcb tcb, Instant issued, Instant next) {
        ObjectNode t = JSON.createObjectNode();
        t.put("id", "TDX").put("version", 3).put("issueDate", issued.toString()).put("nextUpdate", next.toString())
                .put("fmspc", tcb.fmspc().hex().toUpperCase(Locale.ROOT)).put("pceId", tcb.pceId().hex().toUpperCase(Locale.ROOT))
                .put("tcbType", 0).put("tcbEvaluationDataNumber", 1);
        t.putObject("tdxModule").put("mrsigner", ZEROS_48).put("attributes", "0000000000000000").put("attributesMask", "FFFFFFFFFFFFFFFF");
        byte[] teeTcbSvn = tcb.teeTcbSvn().toArray();
        ObjectNode module = t.putArray("tdxModuleIdentities").addObject();
        module.put("id", String.format("TDX_%02X", teeTcbSvn[1] & 0xff)).put("mrsigner", ZEROS_48).put("attributes", "0000000000000000")
                .put("attributesMask", "FFFFFFFFFFFFFFFF");
        ArrayNode moduleLevels = module.putArray("tcbLevels");
        isvLevel(moduleLevels, teeTcbSvn[0] & 0xff, issued, "UpToDate");
        ArrayNode levels = t.putArray("tcbLevels");
        platformLevel(levels, tcb, teeTcbSvn, 0, issued, "UpToDate", List.of());
        platformLevel(levels, tcb, teeTcbSvn, 1, issued.minus(Duration.ofDays(365)), "OutOfDate", List.of("INTEL-SA-00000"));
        return t.toString();
    }

    private static void platformLevel(ArrayNode levels, PlatformTcb tcb, byte[] teeTcbSvn, int lower, Instant date, String status,
                                      List<String> advisories) {
        ObjectNode level = levels.addObject();
        ObjectNode t = level.putObject("tcb");
        ArrayNode sgx = t.putArray("sgxtcbcomponents");
        for (int c : tcb.sgxTcbComponents()) {
            sgx.addObject().put("svn", Math.max(0, c - lower));
        }
        t.put("pcesvn", tcb.pceSvn() - lower);
        ArrayNode tdx = t.putArray("tdxtcbcomponents");
        for (byte b : teeTcbSvn) {
            tdx.addObject().put("svn", Math.max(0, (b & 0xff) - lower));
        }
        level.put("tcbDate", date.truncatedTo(ChronoUnit.DAYS).toString()).put("tcbStatus", status);
        if (!advisories.isEmpty()) {
            ArrayNode a = level.putArray("advisoryIDs");
            advisories.forEach(a::add);
        }
    }

    private static void isvLevel(ArrayNode levels, int isvsvn, Instant date, String status) {
        ObjectNode level = levels.addObject();
        level.putObject("tcb").put("isvsvn", isvsvn);
        level.put("tcbDate", date.truncatedTo(ChronoUnit.DAYS).toString()).put("tcbStatus", status);
    }

    /** QE Identity v2 for the emulated TD QE, with Intel's identity values. */
    static String qeIdentity(Instant issued, Instant next) {
        ObjectNode q = JSON.createObjectNode();
        q.put("id", "TD_QE").put("version", 2).put("issueDate", issued.toString()).put("nextUpdate", next.toString())
                .put("tcbEvaluationDataNumber", 1).put("miscselect", "00000000").put("miscselectMask", "FFFFFFFF")
                .put("attributes", EmulatedQuotingEnclave.TD_QE_ATTRIBUTES.hex().toUpperCase(Locale.ROOT))
                .put("attributesMask", "FBFFFFFFFFFFFFFF0000000000000000")
                .put("mrsigner", EmulatedQuotingEnclave.TD_QE_MRSIGNER.hex().toUpperCase(Locale.ROOT))
                .put("isvprodid", EmulatedQuotingEnclave.TD_QE_ISVPRODID);
        isvLevel(q.putArray("tcbLevels"), EmulatedQuotingEnclave.TD_QE_ISVSVN, issued, "UpToDate");
        return q.toString();
    }

    private static byte[] sign(PrivateKey key, String json) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(json.getBytes(StandardCharsets.UTF_8));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 ECDSA is mandatory in every JDK", e);
        }
    }

    private static String pem(X509Certificate c) {
        try {
            return Pem.encode("CERTIFICATE", c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
