// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.cca.CcaProviders;
import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.configfs.ConfigfsReportProvider;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.snp.SnpProviders;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.tdx.TdxProviders;
import dev.guestattest.tdx.TdxInput;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configfs-tsm providers TDX, SNP and CCA declare, each over the fake kernel with its emulator's evidence. */
class ConfigfsProvidersTest {
    @TempDir
    Path tmp;

    private ProviderContext context() {
        return ProviderContext.defaults().withStateDir(tmp.resolve("state")).withConfigfsRoot(tmp.resolve("no-configfs"))
                .withDeviceDir(tmp.resolve("dev"));
    }

    private static Report report(ReportProvider p, ReportRequest request) {
        Tsm tsm = new Tsm();
        tsm.register(p);
        try {
            return tsm.report(request);
        } finally {
            tsm.unregister(p, Duration.ofSeconds(5));
        }
    }

    // moved unchanged from tdx's TdxProvidersTest: the fake kernel now lives in this module
    @Test
    void configfsBackendCarriesTdxQuotesFromTheKernel() {
        try (TdxEmulatedProvider emulator = TdxEmulatedProvider.open(context())) {
            ConfigfsFixture kernel = new ConfigfsFixture(tmp.resolve("tsm/report"), "tdx_guest", ConfigfsFixture.TDX_ATTRS,
                    inblob -> emulator.quote(emulator.tdReport(Bytes.of(inblob))));
            ReportProvider p = new ConfigfsReportProvider("tdx/configfs", TdxInput.INPUT, 0,
                    new ConfigfsReports(kernel, kernel.root(), "tdx_guest"));
            Tsm tsm = new Tsm();
            tsm.register(p);
            byte[] nonce = new byte[64];
            nonce[63] = 1;
            Quote q = Quote.parse(tsm.report(ReportRequest.of(nonce)).outblob().toArray());
            assertThat(q.body().reportData().toArray()).isEqualTo(nonce);
            assertThat(kernel.removed).isEqualTo(kernel.created).hasSize(1);
        }
    }

    @Test
    void theDeclaredTdxProviderQuotesThroughTheFakeKernel() {
        try (FakeTdxGuestDevice td = FakeTdxGuestDevice.open(context())) {
            ConfigfsFixture kernel = td.configfs(tmp.resolve("tsm/report"));
            ReportProvider p = TdxProviders.CONFIGFS.create(kernel, kernel.root());
            byte[] nonce = new byte[64];
            nonce[0] = 7;
            Report r = report(p, ReportRequest.of(nonce));
            assertThat(r.provider()).isEqualTo("tdx/configfs");
            assertThat(Quote.parse(r.outblob().toArray()).body().reportData().toArray()).isEqualTo(nonce);
        }
    }

    @Test
    void theDeclaredSnpProviderWritesThePrivlevelTheKernelChecks() {
        SnpEmulatedProvider chip = SnpEmulatedProvider.open(context());
        ConfigfsFixture kernel = new ConfigfsFixture(tmp.resolve("tsm/report"), SnpProviders.KERNEL_PROVIDER, ConfigfsFixture.SNP_ATTRS,
                inblob -> chip.report(ReportRequest.builder().inblob(inblob).privlevel(2).build()).outblob().toArray())
                .privlevelFloor(2);
        ReportProvider p = SnpProviders.CONFIGFS.create(kernel, kernel.root());
        byte[] nonce = new byte[64];
        Report r = report(p, ReportRequest.builder().inblob(nonce).privlevel(2).build());
        assertThat(AttestationReport.parse(r.outblob().toArray()).vmpl()).isEqualTo(2);
        assertThatThrownBy(() -> report(p, ReportRequest.builder().inblob(nonce).privlevel(1).build()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith("configfs-tsm write privlevel: EINVAL");
    }

    @Test
    void theDeclaredCcaProviderPadsTheChallengeAndChecksTheKernelsProvider() {
        EmulatedRealm realm = EmulatedRealm.open(context());
        ConfigfsFixture kernel = new ConfigfsFixture(tmp.resolve("tsm/report"), CcaProviders.KERNEL_PROVIDER, ConfigfsFixture.TDX_ATTRS,
                inblob -> {
                    assertThat(inblob).hasSize(64);
                    return realm.report(ReportRequest.of(inblob)).outblob().toArray();
                });
        Report r = report(CcaProviders.CONFIGFS.create(kernel, kernel.root()), ReportRequest.of(new byte[32]));
        assertThat(r.provider()).isEqualTo("cca/configfs");
        assertThat(r.outblob().length()).isPositive();
        assertThatThrownBy(() -> report(TdxProviders.CONFIGFS.create(kernel, kernel.root()), ReportRequest.of(new byte[64])))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageStartingWith("provider: configfs-tsm is served by 'arm_cca_guest' but this backend needs 'tdx_guest'");
    }
}
