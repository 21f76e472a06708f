// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.testing.Vectors;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every real TDX quote in ../shared/vectors: byte-exact round trips, field values, signed regions. */
class QuoteVectorsTest {
    static PublicKey p256(byte[] xy) throws Exception {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(xy, 0, 32)), new BigInteger(1, Arrays.copyOfRange(xy, 32, 64)));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, p.getParameterSpec(ECParameterSpec.class)));
    }

    static boolean verifies(byte[] xy, byte[] data, byte[] rs) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initVerify(p256(xy));
        s.update(data);
        return s.verify(rs);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "intel-tdx/dcap-qvl/tdx_quote_v4.bin, 4, 2, 70, 632",
            "intel-tdx/dcap-qvl/tdx_quote_v5_outdated.bin, 5, 3, 0, 702",
            "intel-tdx/go-tdx-guest/quote_v5_sample.dat, 5, 3, 0, 702",
            "intel-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat, 4, 2, 39, 632",
            "intel-tdx/go-tdx-guest-ccel/cos-113-tdx-quote.dat, 4, 2, 3065, 632"})
    void realQuotesRoundTripByteForByteAndVerify(String file, int version, int bodyType, int trailing, int signed) throws Exception {
        byte[] raw = Vectors.read(file);
        Quote q = Quote.parse(raw);
        assertThat(q.toBytes()).isEqualTo(raw);
        assertThat(q.version()).isEqualTo(version);
        assertThat(q.body().bodyType()).isEqualTo(bodyType);
        assertThat(q.trailing().length()).isEqualTo(trailing);
        assertThat(q.header().qeVendorId()).isEqualTo(QuoteHeader.INTEL_QE_VENDOR_ID);
        assertThat(q.header().teeType()).isEqualTo(0x81);
        assertThat(q.signedRegion()).hasSize(signed).isEqualTo(Arrays.copyOf(raw, signed));
        assertThat(verifies(q.signatureData().attestationKey().toArray(), q.signedRegion(), q.signatureData().signature().toArray()))
                .as("quote signature by the attestation key over the signed region").isTrue();
        QeReportCertificationData qe = q.qeReportCertificationData();
        assertThat(qe.qeAuthData().length()).isEqualTo(32);
        assertThat(qe.pckCertificationData().type()).isEqualTo(CertificationData.PCK_CERT_CHAIN);
        assertThat(qe.pckCertificationData().pemChain()).startsWith("-----BEGIN CERTIFICATE-----").endsWith("-----END CERTIFICATE-----\n");
        assertThat(qe.qeReport().isvProdId()).isEqualTo(2);
        assertThat(qe.qeReport().mrSigner().hex()).isEqualTo("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");
        assertThat(qe.asCertificationData()).isEqualTo(q.signatureData().certificationData());
    }

    @Test
    void dcapV4FieldsMatchTheExpectations() {
        Quote q = Quote.parse(Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4.bin"));
        assertThat(q.header().attestationKeyType()).isEqualTo(2);
        assertThat(q.body().mrTd().hex()).isEqualTo(
                "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7");
        assertThat(q.body().reportData().hex()).isEqualTo("9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9"
                + "eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20");
        assertThat(q.body().teeTcbSvn().hex()).isEqualTo("06010300000000000000000000000000");
        assertThat(q.body().teeTcbSvn2()).isEmpty();
        assertThat(q.qeReportCertificationData().pckCertificationData().data().get(
                q.qeReportCertificationData().pckCertificationData().data().length() - 1)).as("chain ends with NUL").isZero();
    }

    @Test
    void goTdxGuestV5SampleCarriesTheTdx15Fields() {
        Quote q = Quote.parse(Vectors.read("intel-tdx/go-tdx-guest/quote_v5_sample.dat"));
        assertThat(q.body().teeTcbSvn2().orElseThrow().hex()).startsWith("0d010400");
        assertThat(q.body().mrServiceTd()).isPresent();
        Quote outdated = Quote.parse(Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v5_outdated.bin"));
        assertThat(outdated.body().rtmrs()).allSatisfy(r -> assertThat(r.isZero()).isTrue());
    }

    @Test
    void cos113QuoteReportDataIsTheNonce() {
        Quote q = Quote.parse(Vectors.read("intel-tdx/go-tdx-guest-ccel/cos-113-tdx-quote.dat"));
        assertThat(q.body().reportData().toArray()).isEqualTo(Vectors.read("intel-tdx/go-tdx-guest-ccel/nonce.dat"));
    }

    @Test
    void aQuoteCutAtEveryLengthIsATypedError() {
        byte[] raw = Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4.bin");
        int end = raw.length - 70;
        for (int n = 0; n < end; n++) {
            byte[] cut = Arrays.copyOf(raw, n);
            assertThatThrownBy(() -> Quote.parse(cut)).as("cut at %d", n)
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                    .hasMessageContaining("quote");
        }
        for (int n = end; n <= raw.length; n++) {
            assertThat(Quote.parse(Arrays.copyOf(raw, n)).trailing().length()).isEqualTo(n - end);
        }
    }

    private static byte[] withU32(byte[] raw, int offset, long value) {
        byte[] b = raw.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, (int) value);
        return b;
    }

    private static byte[] withU16(byte[] raw, int offset, int value) {
        byte[] b = raw.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) value);
        return b;
    }

    @Test
    void corruptedLengthFieldsAreTypedErrors() {
        byte[] raw = Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4.bin");
        long sigLen = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt(632) & 0xffffffffL;
        for (long bad : new long[] {0xffffffffL, 0x7fffffffL, sigLen + 71, sigLen - 1, sigLen + 1, 0}) {
            assertThatThrownBy(() -> Quote.parse(withU32(raw, 632, bad))).as("signature_data_len %d", bad)
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
        }
        for (long bad : new long[] {0xffffffffL, 1L << 20, 0}) {
            assertThatThrownBy(() -> Quote.parse(withU32(raw, 632 + 4 + 130, bad))).as("certification_data_size %d", bad)
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
        }
        byte[] authSize = withU16(raw, 636 + 134 + 384 + 64, 0xffff);
        assertThatThrownBy(() -> Quote.parse(authSize).qeReportCertificationData())
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageContaining("qe_auth_data");
        byte[] v5 = Vectors.read("intel-tdx/go-tdx-guest/quote_v5_sample.dat");
        assertThatThrownBy(() -> Quote.parse(withU32(v5, 50, 584))).hasMessageContaining("quote.body_size: 584 for body type 3, must be 648");
        assertThatThrownBy(() -> Quote.parse(withU16(v5, 48, 9))).hasMessageContaining("quote.body_type");
        assertThatThrownBy(() -> Quote.parse(withU16(v5, 48, 1)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void nonTdQuotesAreUnsupported() {
        byte[] raw = Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4.bin");
        assertThatThrownBy(() -> Quote.parse(withU16(raw, 0, 3))).hasMessageContaining("SGX enclave quote");
        assertThatThrownBy(() -> Quote.parse(withU16(raw, 0, 7))).hasMessageContaining("quote.version: 7");
        assertThatThrownBy(() -> Quote.parse(withU16(raw, 2, 3))).hasMessageContaining("attestation_key_type: 3");
        assertThatThrownBy(() -> Quote.parse(withU32(raw, 4, 0))).hasMessageContaining("tee_type: 0x00000000");
    }
}
