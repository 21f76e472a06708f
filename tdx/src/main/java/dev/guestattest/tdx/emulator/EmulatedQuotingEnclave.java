// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.CertificationData;
import dev.guestattest.tdx.abi.EnclaveReportBody;
import dev.guestattest.tdx.abi.QeReportCertificationData;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.QuoteHeader;
import dev.guestattest.tdx.abi.QuoteSignatureData;
import dev.guestattest.tdx.abi.TdQuoteBody;
import dev.guestattest.tdx.abi.TdReport;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * The emulated TD Quoting Enclave: checks the TDREPORT's MAC with the platform key (only the same
 * platform can), then signs a v4 or v5 quote with the attestation key. Like the real QE, its own
 * report is signed by the PCK key and binds the attestation key:
 * REPORTDATA = SHA-256(attestation key || QE auth data) || 32 zero bytes.
 */
public final class EmulatedQuotingEnclave {
    /** Intel's TD QE identity, so emulator quotes exercise the same QE-identity checks. */
    static final Bytes TD_QE_MRSIGNER = Bytes.fromHex("mrsigner", "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");
    static final int TD_QE_ISVPRODID = 2;
    static final int TD_QE_ISVSVN = 4;
    static final Bytes TD_QE_ATTRIBUTES = Bytes.fromHex("attributes", "11000000000000000000000000000000");

    private final Signer signer;
    private final SecretKeySpec macKey;
    private final PrivateKey attestationKey;
    private final Bytes attestationPublicKey;
    private final CertificationData certificationData;
    private final QuoteHeader header4;
    private final QuoteHeader header5;

    public EmulatedQuotingEnclave(EmulatedPlatform platform, Signer signer) {
        this.signer = signer;
        this.macKey = new SecretKeySpec(platform.reportMacKey(), "HmacSHA256");
        this.attestationKey = signer.prepare(platform.attestationKey().getPrivate());
        this.attestationPublicKey = Bytes.of(rawPoint((ECPublicKey) platform.attestationKey().getPublic()));
        byte[] userData = Arrays.copyOf(platform.qeId().toArray(), 20);
        this.header4 = new QuoteHeader(Quote.V4, QuoteHeader.ATTESTATION_KEY_ECDSA_P256, QuoteHeader.TEE_TYPE_TDX,
                Bytes.zeros(4), QuoteHeader.INTEL_QE_VENDOR_ID, Bytes.of(userData));
        this.header5 = new QuoteHeader(Quote.V5, header4.attestationKeyType(), header4.teeType(), header4.reserved(),
                header4.qeVendorId(), header4.userData());
        this.certificationData = qeCertificationData(platform, attestationPublicKey, signer);
    }

    /** The QE report and its PCK signature depend only on the attestation key: made once. */
    private static CertificationData qeCertificationData(EmulatedPlatform platform, Bytes akPoint, Signer signer) {
        byte[] authData = new byte[32];
        for (int i = 0; i < authData.length; i++) {
            authData[i] = (byte) i;
        }
        byte[] reportData = new byte[64];
        System.arraycopy(sha256(akPoint.toArray(), authData), 0, reportData, 0, 32);
        EnclaveReportBody qeReport = new EnclaveReportBody(platform.tcb().cpuSvn(), 0, Bytes.zeros(12), Bytes.zeros(16),
                TD_QE_ATTRIBUTES, Bytes.of(sha256("GuestAttest emulated TD QE".getBytes(StandardCharsets.US_ASCII), new byte[0])),
                Bytes.zeros(32), TD_QE_MRSIGNER, Bytes.zeros(32), Bytes.zeros(64), TD_QE_ISVPRODID, TD_QE_ISVSVN, 0,
                Bytes.zeros(42), Bytes.zeros(16), Bytes.of(reportData));
        byte[] qeSignature = signer.sign(platform.pckKey(), qeReport.toBytes());
        byte[] pem = (platform.pckChainPem() + "\0").getBytes(StandardCharsets.US_ASCII);
        return new QeReportCertificationData(qeReport, Bytes.of(qeSignature), Bytes.of(authData),
                new CertificationData(CertificationData.PCK_CERT_CHAIN, Bytes.of(pem))).asCertificationData();
    }

    /** Quotes a TDREPORT, {@code version} 4 (TDX 1.0 body) or 5 (TDX 1.5 body, type 3). */
    public byte[] quote(byte[] tdReport, int version) {
        if (version != Quote.V4 && version != Quote.V5) {
            throw AttestationException.invalid("quote version", version + "; must be 4 or 5");
        }
        TdReport report = TdReport.parse(tdReport);
        byte[] expected = EmulatedTd.mac(macKey, tdReport);
        if (!MessageDigest.isEqual(expected, report.reportMac().mac().toArray())
                || !report.teeTcbInfoHashMatches() || !report.teeInfoHashMatches()) {
            throw AttestationException.device(0x8000_0000_0000_0000L,
                    "quoting enclave: TDREPORT MAC or hashes do not verify on this platform; refusing to quote");
        }
        TdQuoteBody body = TdQuoteBody.fromTdReport(report, version == Quote.V5);
        Quote unsigned = new Quote(version == Quote.V4 ? header4 : header5, body,
                new QuoteSignatureData(Bytes.zeros(64), attestationPublicKey, certificationData), Bytes.EMPTY);
        Bytes signature = Bytes.of(signer.sign(attestationKey, unsigned.signedRegion()));
        return new Quote(unsigned.header(), body, new QuoteSignatureData(signature, attestationPublicKey, certificationData),
                Bytes.EMPTY).toBytes();
    }

    /**
     * Where the P-256 signatures come from. The JDK's provider signs a first quote within a few
     * milliseconds; Bouncy Castle signs about 1.5x faster once warm but spends ~260 ms on its
     * provider and curve tables first. One-shot processes (the CLI, the request-key handler) want
     * the JDK; long-running emulations that make many quotes can choose Bouncy Castle.
     */
    public enum Signer {
        JDK, BOUNCY_CASTLE;

        /** {@code jdk} or {@code bc}, as the {@code tdx.emulator.signer} setting spells them. */
        public static Signer parse(String text) {
            return switch (text) {
                case "jdk" -> JDK;
                case "bc" -> BOUNCY_CASTLE;
                default -> throw dev.guestattest.core.AttestationException.invalid("tdx.emulator.signer", "'" + text + "'; must be jdk or bc");
            };
        }

        /**
         * The key as this signer signs fastest with it, converted once: Bouncy Castle keeps its
         * fixed-base table only for a key naming its curve (a JDK key costs the table on every signature).
         */
        PrivateKey prepare(PrivateKey key) {
            if (this == JDK) {
                return key;
            }
            try {
                return java.security.KeyFactory.getInstance("EC", BouncyCastle.PROVIDER)
                        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("an emulator's own P-256 key converts to Bouncy Castle", e);
            }
        }

        byte[] sign(PrivateKey key, byte[] data) {
            try {
                Signature s = this == JDK ? Signature.getInstance("SHA256withECDSAinP1363Format")
                        : Signature.getInstance("SHA256withPLAIN-ECDSA", BouncyCastle.PROVIDER);
                s.initSign(key);
                s.update(data);
                return s.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("P-256 ECDSA is mandatory in every JDK", e);
            }
        }
    }

    /** Loaded only when Bouncy Castle signing is chosen. */
    private static final class BouncyCastle {
        static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    /** The raw x||y (32+32 bytes, big-endian) form of a P-256 public key, as quotes carry it. */
    static byte[] rawPoint(ECPublicKey key) {
        byte[] out = new byte[64];
        copyFixed(key.getW().getAffineX().toByteArray(), out, 0);
        copyFixed(key.getW().getAffineY().toByteArray(), out, 32);
        return out;
    }

    private static void copyFixed(byte[] unsigned, byte[] out, int offset) {
        int n = Math.min(unsigned.length, 32);
        System.arraycopy(unsigned, unsigned.length - n, out, offset + 32 - n, n);
    }

    private static byte[] sha256(byte[] a, byte[] b) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(a);
            d.update(b);
            return d.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
