// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.TdReport;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EmulatedQuoteTest {
    @TempDir
    Path state;
    private final List<TdxEmulatedProvider> opened = new ArrayList<>();

    private TdxEmulatedProvider open(Path dir, int version) {
        return open(dir, version, "jdk");
    }

    private TdxEmulatedProvider open(Path dir, int version, String signer) {
        TdxEmulatedProvider p = TdxEmulatedProvider.open(ProviderContext.defaults().withStateDir(dir)
                .withSetting(TdxEmulatedProvider.QUOTE_VERSION, Integer.toString(version))
                .withSetting(TdxEmulatedProvider.SIGNER, signer));
        opened.add(p);
        return p;
    }

    @AfterEach
    void close() {
        opened.forEach(TdxEmulatedProvider::close);
    }

    private static Bytes nonce(int seed) {
        byte[] b = new byte[64];
        for (int i = 0; i < 64; i++) {
            b[i] = (byte) (seed + i);
        }
        return Bytes.of(b);
    }

    private static PublicKey p256(byte[] xy) throws Exception {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(xy, 0, 32)), new BigInteger(1, Arrays.copyOfRange(xy, 32, 64))),
                p.getParameterSpec(ECParameterSpec.class)));
    }

    private static boolean verify(PublicKey key, byte[] data, byte[] rs) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initVerify(key);
        s.update(data);
        return s.verify(rs);
    }

    /**
     * An independent reading of the quote by raw offsets from formats.md §1.2-1.4 (not our parser),
     * checking every signature and the chain to the emulator's root.
     */
    @ParameterizedTest(name = "v{0} signed by {1}")
    @CsvSource({"4,jdk", "5,jdk", "4,bc", "5,bc"})
    void quotesAreTheRealFormatAndEverySignatureVerifies(int version, String signer) throws Exception {
        TdxEmulatedProvider p = open(state, version, signer);
        byte[] quote = p.quote(p.tdReport(nonce(7)));
        ByteBuffer b = ByteBuffer.wrap(quote).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(0)).isEqualTo((short) version);
        assertThat(b.getShort(2)).isEqualTo((short) 2);
        assertThat(b.getInt(4)).isEqualTo(0x81);
        int bodyStart = version == 4 ? 48 : 54;
        int bodySize = version == 4 ? 584 : 648;
        if (version == 5) {
            assertThat(b.getShort(48)).isEqualTo((short) 3);
            assertThat(b.getInt(50)).isEqualTo(648);
        }
        int signed = bodyStart + bodySize;
        assertThat(Arrays.copyOfRange(quote, bodyStart + 520, bodyStart + 584)).isEqualTo(nonce(7).toArray());
        int sigLen = b.getInt(signed);
        int s = signed + 4;
        assertThat(quote.length).isEqualTo(s + sigLen);
        byte[] ak = Arrays.copyOfRange(quote, s + 64, s + 128);
        assertThat(verify(p256(ak), Arrays.copyOf(quote, signed), Arrays.copyOfRange(quote, s, s + 64))).isTrue();
        assertThat(b.getShort(s + 128)).isEqualTo((short) 6);
        int qe = s + 134;
        byte[] qeReport = Arrays.copyOfRange(quote, qe, qe + 384);
        byte[] qeSig = Arrays.copyOfRange(quote, qe + 384, qe + 448);
        int authLen = b.getShort(qe + 448) & 0xffff;
        byte[] auth = Arrays.copyOfRange(quote, qe + 450, qe + 450 + authLen);
        assertThat(b.getShort(qe + 450 + authLen)).isEqualTo((short) 5);
        int pemLen = b.getInt(qe + 452 + authLen);
        String pem = new String(quote, qe + 456 + authLen, pemLen, StandardCharsets.US_ASCII);
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.replace("\0", "").getBytes(StandardCharsets.US_ASCII)))) {
            chain.add((X509Certificate) c);
        }
        assertThat(chain).hasSize(3);
        chain.get(0).verify(chain.get(1).getPublicKey());
        chain.get(1).verify(chain.get(2).getPublicKey());
        chain.get(2).verify(chain.get(2).getPublicKey());
        assertThat(chain.get(2)).isEqualTo(p.platform().rootCertificate());
        assertThat(verify(chain.get(0).getPublicKey(), qeReport, qeSig)).as("QE report signed by the PCK key").isTrue();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ak);
        sha.update(auth);
        assertThat(Arrays.copyOfRange(qeReport, 320, 352)).isEqualTo(sha.digest());
        assertThat(Arrays.copyOfRange(qeReport, 352, 384)).containsOnly(0);
        assertThat(chain.get(0).getExtensionValue("1.2.840.113741.1.13.1")).isNotNull();
        // and our own parser agrees, byte for byte
        assertThat(Quote.parse(quote).toBytes()).isEqualTo(quote);
    }

    @Test
    void platformKeysPersistSoQuotesFromDifferentRunsShareOneRoot() {
        TdxEmulatedProvider first = open(state, 4);
        TdxEmulatedProvider second = open(state, 4);
        assertThat(second.platform().rootFingerprint()).isEqualTo(first.platform().rootFingerprint()).hasSize(64);
        Quote a = Quote.parse(first.quote(first.tdReport(nonce(1))));
        Quote c = Quote.parse(second.quote(second.tdReport(nonce(1))));
        assertThat(c.signatureData().attestationKey()).isEqualTo(a.signatureData().attestationKey());
        assertThat(open(state.resolve("other"), 4).platform().rootFingerprint()).isNotEqualTo(first.platform().rootFingerprint());
    }

    @Test
    void rtmrExtendIsSha384AndPersistsUntilReset() throws Exception {
        TdxEmulatedProvider p = open(state, 4);
        byte[] digest = MessageDigest.getInstance("SHA-384").digest("event".getBytes(StandardCharsets.US_ASCII));
        Bytes after = p.td().extend(2, digest);
        byte[] joined = new byte[96];
        System.arraycopy(digest, 0, joined, 48, 48);
        assertThat(after.toArray()).isEqualTo(MessageDigest.getInstance("SHA-384").digest(joined));
        TdxEmulatedProvider reopened = open(state, 4);
        assertThat(reopened.td().rtmrs().get(2)).isEqualTo(after);
        assertThat(Quote.parse(reopened.quote(reopened.tdReport(nonce(3)))).body().rtmrs().get(2)).isEqualTo(after);
        reopened.td().reset(TdConfig.DEFAULT);
        assertThat(reopened.td().rtmrs()).allSatisfy(r -> assertThat(r.isZero()).isTrue());
        assertThatThrownBy(() -> p.td().extend(4, digest)).hasMessage("rtmr index: 4 is outside 0..3");
        assertThatThrownBy(() -> p.td().extend(0, new byte[32])).hasMessageStartingWith("digest: 32 bytes");
    }

    @Test
    void configuredMeasurementsAppearInReportAndQuote() {
        TdxEmulatedProvider p = open(state, 5);
        Bytes mr = Bytes.fromHex("mrconfigid", "ab".repeat(48));
        TdConfig cfg = new TdConfig(TdConfig.DEFAULT.mrTd(), mr, Bytes.zeros(48), Bytes.zeros(48),
                Bytes.fromHex("a", "0100000000000000"), TdConfig.DEFAULT.xfam());
        p.td().reset(cfg);
        TdReport r = p.tdReport(nonce(2));
        assertThat(r.tdInfo().mrConfigId()).isEqualTo(mr);
        assertThat(r.teeTcbInfoHashMatches() && r.teeInfoHashMatches()).isTrue();
        Quote q = Quote.parse(p.quote(r));
        assertThat(q.body().mrConfigId()).isEqualTo(mr);
        assertThat(q.body().tdAttributes().hex()).isEqualTo("0100000000000000");
        assertThat(q.body().mrTd()).isEqualTo(TdConfig.DEFAULT.mrTd());
    }

    @Test
    void theQuotingEnclaveRefusesAReportWithABadMac() {
        TdxEmulatedProvider p = open(state, 4);
        byte[] tdReport = p.tdReport(nonce(1)).toBytes();
        tdReport[200] ^= 1; // reserved2, covered by the MAC
        EmulatedQuotingEnclave qe = new EmulatedQuotingEnclave(p.platform(), EmulatedQuotingEnclave.Signer.JDK);
        assertThatThrownBy(() -> qe.quote(tdReport, 4))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR))
                .hasMessageContaining("MAC");
        TdxEmulatedProvider elsewhere = open(state.resolve("other-platform"), 4);
        assertThatThrownBy(() -> elsewhere.quote(p.tdReport(nonce(1))))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
                    assertThat(e.vendorStatus()).hasValue(0x8000_0000_0000_0000L);
                });
    }

    @Test
    void anUnwritableStateDirectoryIsAClearError() throws Exception {
        Path file = Files.writeString(state.resolve("a-file"), "x");
        assertThatThrownBy(() -> open(file.resolve("state"), 4))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.IO_ERROR))
                .hasMessageContaining("state directory: cannot create or write").hasMessageContaining("--state-dir");
    }

    @Test
    void badQuoteVersionSettingIsRejected() {
        assertThatThrownBy(() -> open(state, 3)).hasMessage("quote-version: '3'; must be 4 or 5");
    }

    @Test
    void badSignerSettingIsRejected() {
        assertThatThrownBy(() -> open(state, 4, "openssl")).hasMessage("tdx.emulator.signer: 'openssl'; must be jdk or bc");
    }

    @Test
    void keyFilesAreOwnerOnly() throws Exception {
        TdxEmulatedProvider p = open(state, 4);
        assertThat(Files.getPosixFilePermissions(p.platform().directory().resolve("attestation.key"))) // a set: order is not defined
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(HexFormat.of().parseHex(p.platform().rootFingerprint())).hasSize(32);
    }
}
