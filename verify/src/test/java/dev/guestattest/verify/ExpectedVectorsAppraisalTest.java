// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.ar4si.Tier;
import dev.guestattest.verify.ar4si.TrustVector;
import dev.guestattest.verify.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector in {@code ../shared/vectors/expected.json} that is evidence a vendor verifier takes,
 * through the one entry point, with the outcome the file expects. Vectors that are not evidence
 * (certificates, event logs, measurement inputs) or need what the SPI does not carry (Azure's
 * composite) are listed with why, so a new vector cannot slip by unappraised.
 */
class ExpectedVectorsAppraisalTest {
    static final Appraiser APPRAISER = Appraiser.discover();
    static final Set<String> NOT_EVIDENCE = Set.of(
            "snp-virtee-turin-vcek", // a certificate only: no Turin report exists
            "azure-snp-vtpm", // composite (HCL report + vTPM quote): not yet a verifier of the SPI
            "tpm-eventlog-replay", "cel-tlv-replay", // event logs, replayed in core's tests
            "ibm-se-measurement"); // HMAC inputs, checked in the s390 module's tests

    static JsonNode expected() throws IOException {
        return new ObjectMapper().readTree(Vectors.read("expected.json"));
    }

    static Stream<String> appraisable() throws IOException {
        List<String> ids = new ArrayList<>();
        expected().get("vectors").forEach(v -> ids.add(v.get("id").asText()));
        return ids.stream().filter(id -> !NOT_EVIDENCE.contains(id));
    }

    @Test
    void theListIsTheFilesAndNoneIsSkippedSilently() throws IOException {
        List<String> ids = new ArrayList<>();
        expected().get("vectors").forEach(v -> ids.add(v.get("id").asText()));
        assertThat(ids).containsAll(NOT_EVIDENCE);
        assertThat(appraisable()).hasSize(ids.size() - NOT_EVIDENCE.size()).hasSizeGreaterThanOrEqualTo(11);
    }

    static Policy accepting(String tee, CommonClaims c) {
        String initial = c.initialMeasurement().map(m -> ", \"reference_values\": {\"initial_measurement\": [\"" + m.hex() + "\"]}").orElse("");
        return Policy.parse(("{\"id\": \"vectors\", \"tees\": [\"" + tee + "\"], \"allow_debug\": true,"
                + " \"accepted_tcb_status\": [\"UpToDate\"]" + initial + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** Appraises once to learn the measurements, then against a policy that references them: what remains is the evidence's own verdict. */
    static Appraisal appraise(Evidence e, Instant at, String tee, List<java.security.cert.X509Certificate> roots) {
        Policy probe = Policy.parse(("{\"id\": \"probe\", \"tees\": [\"" + tee + "\"], \"allow_debug\": true}").getBytes(StandardCharsets.UTF_8));
        Appraisal first = APPRAISER.appraise(e, AppraisalContext.of(probe, at).withRoots(roots));
        if (first.claims().isEmpty()) {
            return first;
        }
        return APPRAISER.appraise(e, AppraisalContext.of(accepting(tee, first.claims().get()), at).withRoots(roots)
                .withReportData(first.claims().get().reportData()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("appraisable")
    void eachVectorGivesTheExpectedOutcome(String id) throws Exception {
        JsonNode v = null;
        for (JsonNode x : expected().get("vectors")) {
            if (x.get("id").asText().equals(id)) {
                v = x;
            }
        }
        JsonNode want = v.get("expected");
        switch (v.get("vendor").asText()) {
            case "intel-tdx" -> tdx(id, v, want);
            case "amd-sev-snp" -> snp(id, v, want);
            case "arm-cca" -> cca(v);
            default -> throw new AssertionError(id + ": no appraisal case for vendor " + v.get("vendor"));
        }
    }

    private static void tdx(String id, JsonNode v, JsonNode want) {
        if (!v.has("collateral")) {
            // the CCEL quote (no collateral for its FMSPC) and the TDREPORT (MAC'd, not a quote): never affirmed
            String evidence = v.get("evidence").isArray() ? v.get("evidence").get(0).asText() : v.get("evidence").asText();
            Appraisal a = APPRAISER.appraise(Evidence.of(Bytes.of(Vectors.read(evidence)), Map.of()),
                    AppraisalContext.of(Policy.parse("{\"id\": \"p\", \"tees\": [\"tdx\"], \"allow_debug\": true}".getBytes(StandardCharsets.UTF_8)),
                            Instant.parse("2025-01-01T00:00:00Z")));
            assertThat(a.affirming()).as(id).isFalse();
            assertThat(a.claims()).as(id + ": nothing verified, nothing passed on").isEmpty();
            return;
        }
        Evidence e = Evidence.of(Bytes.of(Vectors.read(v.get("evidence").asText())),
                Map.of("collateral", Bytes.of(Vectors.read(v.get("collateral").asText()))));
        Appraisal a = appraise(e, Instant.parse(v.get("suggested_now").asText()), "tdx", List.of());
        CommonClaims c = a.claims().orElseThrow(() -> new AssertionError(id + ": " + a.failures()));
        assertThat(c.reportData().hex()).isEqualTo(want.get("report_data").asText());
        if (want.has("mrtd")) {
            assertThat(c.initialMeasurement().orElseThrow().hex()).isEqualTo(want.get("mrtd").asText());
        }
        String teeTcbSvn = want.get("tee_tcb_svn").asText();
        assertThat(c.tcb().get("tee_tcb_svn.0")).isEqualTo(Long.parseLong(teeTcbSvn.substring(0, 2), 16));
        String status = want.get("tcb_status").asText();
        if (status.startsWith("UpToDate")) {
            assertThat(a.failures()).as(id).isEmpty();
            assertThat(a.status()).isEqualTo(Tier.AFFIRMING);
        } else {
            assertThat(status).startsWith("TcbNotSupported");
            assertThat(a.status()).as(id).isEqualTo(Tier.WARNING);
            assertThat(a.trustVector().hardware()).isEqualTo(TrustVector.UNSAFE_HARDWARE);
            assertThat(a.failures()).extracting(Check::toString).containsExactly(
                    "FAIL policy.tcb_status: TcbNotSupported is not among the accepted [UpToDate]");
        }
    }

    private static void snp(String id, JsonNode v, JsonNode want) {
        String path = v.get("evidence").asText();
        byte[] report = path.contains("(hex text")
                ? Bytes.fromHex("report", new String(Vectors.read(path.substring(0, path.indexOf(' '))), StandardCharsets.US_ASCII).strip()).toArray()
                : Vectors.read(path);
        Evidence e = Evidence.of(Bytes.of(report), Map.of("certs", Bytes.of(Vectors.read(v.get("vcek").asText()))));
        Instant at = v.has("verify_window_utc") ? Instant.parse(v.get("verify_window_utc").get(0).asText()).plusSeconds(86_400) : Instant.now();
        Appraisal a = appraise(e, at, "snp", List.of());
        CommonClaims c = a.claims().orElseThrow(() -> new AssertionError(id + ": " + a.failures()));
        assertThat(a.format()).isEqualTo("snp");
        assertThat(c.reportData().hex()).isEqualTo(want.get("report_data").asText());
        if (want.has("measurement")) {
            assertThat(c.initialMeasurement().orElseThrow().hex()).isEqualTo(want.get("measurement").asText());
        }
        if (want.has("chip_id")) {
            assertThat(c.platformId().orElseThrow().hex()).isEqualTo(want.get("chip_id").asText());
        }
        String tcb = want.get("reported_tcb").asText();
        assertThat(tcb).contains("snp " + c.tcb().get("snp")).contains("ucode " + c.tcb().get("microcode"));
        // POLICY bit 19 is DEBUG: 0xb0000 has it, 0x30000 does not
        boolean debug = (Long.decode(want.get("policy").asText()) & (1L << 19)) != 0;
        assertThat(c.debug()).contains(debug);
        assertThat(a.failures()).as(id).isEmpty();
        assertThat(a.status()).as("debug is a warning even where allowed").isEqualTo(debug ? Tier.WARNING : Tier.AFFIRMING);
    }

    private static void cca(JsonNode v) {
        String evidence = v.get("evidence").asText();
        String cpak = evidence.endsWith("-02.cbor") ? "arm-cca/rust-ccatoken/ta-02-ok.json" : "arm-cca/rust-ccatoken/cpak.json";
        Evidence e = Evidence.of(Bytes.of(Vectors.read(evidence)), Map.of("cpak", Bytes.of(Vectors.read(cpak))));
        Appraisal a = appraise(e, Instant.now(), "cca", List.of());
        assertThat(a.failures()).as(v.get("id").asText()).isEmpty();
        assertThat(a.status()).isEqualTo(Tier.AFFIRMING);
        assertThat(a.claims().orElseThrow().platformId()).isPresent();
        assertThat(a.claims().orElseThrow().runtimeRegisters()).containsOnlyKeys("rem0", "rem1", "rem2", "rem3");
    }
}
