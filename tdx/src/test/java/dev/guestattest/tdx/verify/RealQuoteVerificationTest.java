// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The intel-tdx expectations of ../shared/vectors/expected.json, on the real quotes and collateral. */
class RealQuoteVerificationTest {
    static final String V4 = "intel-tdx/dcap-qvl/tdx_quote_v4.bin";
    static final String V4_COLLATERAL = "intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json";
    static final String V5_OUTDATED = "intel-tdx/dcap-qvl/tdx_quote_v5_outdated.bin";
    static final String V5_COLLATERAL = "intel-tdx/dcap-qvl/tdx_quote_v5_outdated_collateral.json";
    static final String V5_SAMPLE = "intel-tdx/go-tdx-guest/quote_v5_sample.dat";
    static final String SPR = "intel-tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat";
    static final String SPR_COLLATERAL = "intel-tdx/go-tdx-guest/collateral_v4.derived.json";

    static TdxVerifier at(String instant) {
        return TdxVerifier.builder().clock(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC)).build();
    }

    static Collateral collateral(String path) {
        return Collateral.fromDcapQvlJson(Vectors.read(path));
    }

    static TdxVerification verify(String quote, String collateral, String at) {
        return at(at).verify(Vectors.read(quote), collateral(collateral));
    }

    @Test
    void v4IsUpToDateWithEveryCheckPassing() {
        TdxVerification v = verify(V4, V4_COLLATERAL, "2025-07-01T00:00:00Z");
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.trusted()).isTrue();
        assertThat(v.result().checks()).extracting(Check::name).containsExactly("quote.format", "pck.chain", "pck.validity",
                "collateral.root_ca_crl", "collateral.pck_crl", "pck.revocation", "qe.report.signature", "qe.report.binding",
                "quote.signature", "collateral.tcb_info", "collateral.qe_identity", "tcb_info.platform", "qe.identity", "tcb.status");
        assertThat(v.tcb()).hasValueSatisfying(t -> {
            assertThat(t.status()).isEqualTo(TcbStatus.UP_TO_DATE);
            assertThat(t.advisoryIds()).isEmpty();
            assertThat(t.tcbDate()).contains(Instant.parse("2024-03-13T00:00:00Z"));
            assertThat(t.detail()).contains("module TDX_01").contains("UpToDate");
        });
        assertThat(v.result().check("pck.chain").orElseThrow().detail()).contains("FMSPC b0c06f000000");
        assertThat(v.claims()).hasValueSatisfying(c -> {
            assertThat(c.mrTd().hex()).isEqualTo("91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7");
            assertThat(c.reportData().hex()).isEqualTo("9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9"
                    + "eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20");
            assertThat(c.debug()).isFalse();
            assertThat(c.teeTcbSvn().hex()).isEqualTo("06010300000000000000000000000000");
        });
        assertThat(v.collateral()).hasValueSatisfying(d -> assertThat(d.tcbInfoIssued()).isEqualTo("2025-06-19T10:16:03Z"));
    }

    @Test
    void theV5OutdatedQuoteHasValidSignaturesButNoTcbLevel() {
        // the status is reported; whether TcbNotSupported is acceptable is the appraisal policy's call (verify's AppraiserPolicyOnceTest)
        TdxVerification v = verify(V5_OUTDATED, V5_COLLATERAL, "2026-03-01T00:00:00Z");
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.result().check("tcb.status").orElseThrow()).satisfies(c -> {
            assertThat(c.detail()).startsWith("TcbNotSupported").contains("SGX component 8 (index 7) is 3, every level needs at least 5");
        });
        assertThat(v.tcb().orElseThrow().status()).isEqualTo(TcbStatus.TCB_NOT_SUPPORTED);
        assertThat(v.claims().orElseThrow().reportData().hex()).startsWith("d2142b643598eb5fae2bc8529dd79a558b29f868ccbb6531cb28dab9dce47728");
    }

    @Test
    void goTdxGuestsV5SampleIsUpToDateWithTheSameFmspcsCollateral() throws Exception {
        X509Certificate oldRoot = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Vectors.read("intel-tdx/go-tdx-guest/trusted_root.pem")));
        TdxVerifier verifier = TdxVerifier.builder().anchors(TrustAnchors.of(java.util.List.of(oldRoot)))
                .clock(Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC)).build();
        TdxVerification v = verifier.verify(Vectors.read(V5_SAMPLE), collateral(V5_COLLATERAL));
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.tcb().orElseThrow().status()).isEqualTo(TcbStatus.UP_TO_DATE);
        assertThat(v.tcb().orElseThrow().detail()).contains("module TDX_01 ISVSVN 11 UpToDate");
    }

    @Test
    void theSapphireRapidsQuoteIsNotSupportedAndItsChainExpiresBy2053() {
        TdxVerification v = verify(SPR, SPR_COLLATERAL, "2023-07-01T01:00:00Z");
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.tcb().orElseThrow().status()).isEqualTo(TcbStatus.TCB_NOT_SUPPORTED);
        TdxVerification later = verify(SPR, SPR_COLLATERAL, "2053-07-01T00:00:00Z");
        assertThat(later.result().check("pck.validity").orElseThrow()).satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("expired at");
        });
    }

    @ParameterizedTest(name = "{0} at {2}: {3}")
    @CsvSource({
            "v4, " + V4_COLLATERAL + ", 2025-06-19T10:32:27Z, true",
            "v4, " + V4_COLLATERAL + ", 2025-07-19T10:00:35Z, true",
            "v4, " + V4_COLLATERAL + ", 2025-06-19T10:32:26Z, false",
            "v4, " + V4_COLLATERAL + ", 2025-07-19T10:00:36Z, false",
            "v5, " + V5_COLLATERAL + ", 2026-02-18T10:58:51Z, true",
            "v5, " + V5_COLLATERAL + ", 2026-03-20T10:41:15Z, true",
            "v5, " + V5_COLLATERAL + ", 2026-02-18T10:58:50Z, false",
            "v5, " + V5_COLLATERAL + ", 2026-03-20T10:41:16Z, false",
            "spr, " + SPR_COLLATERAL + ", 2023-06-18T08:42:58Z, true",
            "spr, " + SPR_COLLATERAL + ", 2023-07-08T07:24:59Z, true",
            "spr, " + SPR_COLLATERAL + ", 2023-06-18T08:42:57Z, false",
            "spr, " + SPR_COLLATERAL + ", 2023-07-08T07:25:00Z, false"})
    void collateralIsFreshExactlyInsideItsWindow(String which, String collateral, String at, boolean fresh) {
        String quote = switch (which) {
            case "v4" -> V4;
            case "v5" -> V5_SAMPLE;
            default -> SPR;
        };
        TdxVerifier verifier = which.equals("v5") ? v5SampleVerifier(at) : at(at);
        TdxVerification v = verifier.verify(Vectors.read(quote), collateral(collateral));
        java.util.List<Check> freshness = v.result().checks().stream().filter(c -> c.name().startsWith("collateral.")).toList();
        if (fresh) {
            assertThat(freshness).allMatch(Check::passed);
        } else {
            assertThat(freshness).anySatisfy(c -> {
                assertThat(c.passed()).isFalse();
                assertThat(c.detail()).containsAnyOf("is stale", "is not valid before");
            });
            assertThat(v.trusted()).isFalse();
        }
    }

    private static TdxVerifier v5SampleVerifier(String at) {
        return TdxVerifier.builder().clock(Clock.fixed(Instant.parse(at), ZoneOffset.UTC)).build();
    }

    @Test
    void goTdxGuestsSeparatePcsFilesMakeTheSameCollateral() {
        String g = "intel-tdx/go-tdx-guest/";
        com.fasterxml.jackson.databind.JsonNode chains;
        try {
            chains = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Vectors.read(g + "issuer_chains.derived.json"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Collateral fromFiles = Collateral.fromPcsResponses(new String(Vectors.read(g + "sample_tcbInfo_response.json"),
                        java.nio.charset.StandardCharsets.UTF_8), chains.get("tcbInfoIssuerChain").asText(),
                new String(Vectors.read(g + "sample_qeIdentity_response.json"), java.nio.charset.StandardCharsets.UTF_8),
                chains.get("qeIdentityIssuerChain").asText(), Vectors.read(g + "pckcrl_platform.der"),
                chains.get("pckCrlIssuerChain").asText(), Vectors.read(g + "rootcrl.der"));
        TdxVerification v = at("2023-07-01T01:00:00Z").verify(Vectors.read(SPR), fromFiles);
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.tcb().orElseThrow().status()).isEqualTo(TcbStatus.TCB_NOT_SUPPORTED);
        assertThat(v.result().checks()).filteredOn(c -> c.name().startsWith("collateral.")).hasSize(4).allMatch(Check::passed);
    }

    @Test
    void oneVerifierServesManyThreadsAtOnce() throws Exception {
        TdxVerifier verifier = at("2025-07-01T00:00:00Z");
        byte[] quote = Vectors.read(V4);
        byte[] outdated = Vectors.read(V5_OUTDATED);
        Collateral c4 = collateral(V4_COLLATERAL);
        Collateral c5 = collateral(V5_COLLATERAL);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean good = i % 2 == 0;
                // the v5 quote is checked at the v4 time: its collateral is not yet valid and its TCB unsupported
                results.add(pool.submit(() -> verifier.verify(good ? quote : outdated, good ? c4 : c5).trusted() == good));
            }
            for (java.util.concurrent.Future<Boolean> f : results) {
                assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
