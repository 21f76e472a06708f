// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.TdQuoteBody;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Intel's level-selection and status-folding rules on the real v4 quote's platform (SGX 3,3,2,2,4,1,0,5,
 * PCESVN 11, TEE_TCB_SVN 06 01 03, module TDX_01) against hand-made TCB Info levels.
 */
class TcbEvaluationTest {
    private static final Quote QUOTE = Quote.parse(Vectors.read(RealQuoteVerificationTest.V4));
    private static final TdQuoteBody BODY = QUOTE.body();
    private static final PckExtensions PCK = PckExtensions.of(CertChain.parsePem("chain",
            QUOTE.qeReportCertificationData().pckCertificationData().pemChain()).leaf());
    private static final Instant DATE = Instant.parse("2024-03-13T00:00:00Z");
    private static final Bytes ZEROS_48 = Bytes.zeros(48);

    private static TcbInfo.Level level(int sgx8, int tdx2, String status, String... advisories) {
        int[] sgx = {2, 2, 2, 2, 3, 1, 0, sgx8, 0, 0, 0, 0, 0, 0, 0, 0};
        int[] tdx = {5, 0, tdx2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        return new TcbInfo.Level(sgx, 11, tdx, DATE, TcbStatus.parse("s", status), List.of(advisories));
    }

    private static TcbInfo.ModuleIdentity module(String id, Bytes mrsigner, int isvsvn, String status) {
        return new TcbInfo.ModuleIdentity(id, mrsigner, Bytes.zeros(8), Bytes.fromHex("m", "FFFFFFFFFFFFFFFF"),
                List.of(new TcbInfo.IsvLevel(isvsvn, DATE, TcbStatus.parse("s", status), List.of("INTEL-SA-MODULE"))));
    }

    private static TcbInfo info(List<TcbInfo.ModuleIdentity> modules, TcbInfo.Level... levels) {
        return new TcbInfo("TDX", 3, DATE, DATE, PCK.fmspc(), PCK.pceId(), Optional.empty(), modules, List.of(levels));
    }

    private static TcbInfo.IsvLevel qe(String status) {
        return new TcbInfo.IsvLevel(4, DATE, TcbStatus.parse("s", status), List.of());
    }

    private static TcbEvaluation evaluate(TcbInfo info, String qeStatus) {
        return TcbEvaluation.evaluate(info, PCK, BODY, qe(qeStatus));
    }

    @Test
    void theFirstLevelBothPartsMeetWinsWithItsAdvisories() {
        TcbEvaluation e = evaluate(info(List.of(module("TDX_01", ZEROS_48, 4, "UpToDate")),
                level(6, 2, "UpToDate"), level(5, 9, "SWHardeningNeeded", "INTEL-SA-1"), level(5, 2, "OutOfDate", "INTEL-SA-2")), "UpToDate");
        // level 1 needs SGX 8 >= 6 (the PCK has 5); level 2 needs TDX 2 >= 9 (TEE_TCB_SVN has 3): level 3 it is
        assertThat(e.status()).isEqualTo(TcbStatus.OUT_OF_DATE);
        assertThat(e.advisoryIds()).containsExactly("INTEL-SA-2", "INTEL-SA-MODULE"); // the level's, then the module level's
    }

    @ParameterizedTest(name = "level {0}, module {1}, QE {2} -> {3}")
    @CsvSource({
            "UpToDate, UpToDate, UpToDate, UpToDate",
            "SWHardeningNeeded, UpToDate, UpToDate, SWHardeningNeeded",
            "UpToDate, OutOfDate, UpToDate, OutOfDate",
            "ConfigurationNeeded, OutOfDate, UpToDate, OutOfDateConfigurationNeeded",
            "ConfigurationAndSWHardeningNeeded, OutOfDate, UpToDate, OutOfDateConfigurationNeeded",
            "UpToDate, Revoked, UpToDate, Revoked",
            "UpToDate, UpToDate, OutOfDate, OutOfDate",
            "ConfigurationNeeded, UpToDate, OutOfDate, OutOfDateConfigurationNeeded",
            "UpToDate, UpToDate, Revoked, Revoked",
            "Revoked, UpToDate, UpToDate, Revoked"})
    void moduleAndQeStatusesFoldIntoThePlatformsAsQvlDoes(String platform, String module, String qe, String expected) {
        TcbEvaluation e = evaluate(info(List.of(module("TDX_01", ZEROS_48, 4, module)), level(5, 2, platform)), qe);
        assertThat(e.status().intelName()).isEqualTo(expected);
    }

    @Test
    void theModuleIsJudgedByItsIdentityFromTeeTcbSvnIndex2() {
        // TEE_TCB_SVN[0] (6) is below the level's tdx component 0 (which would need 7), but index 0 and 1 are skipped
        int[] sgx = {2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
        int[] tdx = {7, 9, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        TcbInfo.Level l = new TcbInfo.Level(sgx, 11, tdx, DATE, TcbStatus.UP_TO_DATE, List.of());
        assertThat(evaluate(info(List.of(module("TDX_01", ZEROS_48, 6, "UpToDate")), l), "UpToDate").status())
                .isEqualTo(TcbStatus.UP_TO_DATE);
        // and the module's own level is chosen by ISVSVN = TEE_TCB_SVN[0] = 6
        assertThat(evaluate(info(List.of(module("TDX_01", ZEROS_48, 7, "UpToDate")), l), "UpToDate"))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(TcbStatus.TCB_NOT_SUPPORTED);
                    assertThat(e.detail()).isEqualTo("TDX module TDX_01 ISVSVN 6 is below every level");
                });
    }

    @Test
    void aMissingOrMismatchedModuleIdentityIsNotSupported() {
        assertThat(evaluate(info(List.of(module("TDX_03", ZEROS_48, 1, "UpToDate")), level(5, 2, "UpToDate")), "UpToDate").detail())
                .isEqualTo("TCB Info has no TDX module identity TDX_01");
        TcbEvaluation e = evaluate(info(List.of(module("TDX_01", Bytes.fromHex("x", "01".repeat(48)), 4, "UpToDate")),
                level(5, 2, "UpToDate")), "UpToDate");
        assertThat(e.status()).isEqualTo(TcbStatus.TCB_NOT_SUPPORTED);
        assertThat(e.detail()).startsWith("TDX module TDX_01: MRSIGNERSEAM ");
    }

    @Test
    void noSgxLevelNamesTheComponentThatRulesThemAllOut() {
        TcbEvaluation e = evaluate(info(List.of(), level(6, 2, "UpToDate"), level(7, 2, "OutOfDate")), "UpToDate");
        assertThat(e.status()).isEqualTo(TcbStatus.TCB_NOT_SUPPORTED);
        assertThat(e.detail()).isEqualTo("no TCB level matches the PCK: SGX component 8 (index 7) is 5, every level needs at least 6");
    }
}
