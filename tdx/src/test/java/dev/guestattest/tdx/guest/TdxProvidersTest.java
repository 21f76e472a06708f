// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Providers;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.TdxProviders;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TdxProvidersTest {
    @TempDir
    Path tmp;

    private ProviderContext context() {
        return ProviderContext.defaults().withStateDir(tmp.resolve("state")).withConfigfsRoot(tmp.resolve("no-configfs"))
                .withDeviceDir(tmp.resolve("dev"));
    }

    @Test
    void serviceLoaderFindsTheTdxProviders() {
        assertThat(Providers.discover().all()).extracting(f -> f.name())
                .contains("tdx/configfs", "tdx/device", "tdx/emulated");
    }

    @Test
    void automaticSelectionNeverPicksTheEmulator() {
        assertThatThrownBy(() -> Providers.discover().automatic(context()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER))
                .hasMessageContaining("tdx/configfs: configfs-tsm directory").hasMessageContaining("tdx/device: ")
                .hasMessageContaining("used only when named");
        assertThatThrownBy(() -> Providers.discover().byName("tdx/nope"))
                .hasMessageStartingWith("provider: unknown provider 'tdx/nope'; known: ");
    }

    @Test
    void emulatedTdxBehindTheTsmEndToEnd() {
        ReportProvider p = Providers.discover().byName("tdx/emulated").create(context());
        Tsm tsm = new Tsm();
        tsm.register(p);
        try {
            byte[] nonce = new byte[64];
            nonce[0] = 42;
            Report r = tsm.report(ReportRequest.of(nonce));
            assertThat(r.provider()).isEqualTo("tdx/emulated");
            assertThat(Quote.parse(r.outblob().toArray()).body().reportData().toArray()).isEqualTo(nonce);
            assertThatThrownBy(() -> tsm.report(ReportRequest.of(new byte[63])))
                    .hasMessageStartingWith("inblob: 63 bytes; tdx/emulated requires exactly 64 bytes");
            assertThatThrownBy(() -> tsm.report(ReportRequest.builder().inblob(nonce).privlevel(2).build()))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
        } finally {
            tsm.unregister(p, Duration.ofSeconds(5));
            ((TdxEmulatedProvider) p).close();
        }
    }

    @Test
    void selftestPassesOnTheEmulatorAndNamesTheFailingStep() {
        try (TdxEmulatedProvider emulator = TdxEmulatedProvider.open(context())) {
            List<TdxSelftest.Step> steps = TdxSelftest.run(emulator, Bytes.zeros(64));
            assertThat(steps).extracting(TdxSelftest.Step::name).containsExactly("TDREPORT", "TDREPORT hashes",
                    "TDREPORT report data", "GetQuote", "quote format", "quote report data", "quote measurements");
            assertThat(steps).allMatch(TdxSelftest.Step::passed);
            TdxGuest broken = new TdxGuest() {
                @Override
                public dev.guestattest.tdx.abi.TdReport tdReport(Bytes reportData) {
                    return emulator.tdReport(reportData);
                }

                @Override
                public byte[] quote(dev.guestattest.tdx.abi.TdReport report) {
                    throw AttestationException.device(0x8000_0000_0000_0001L, "GetQuote: quoting service returned status SERVICE_UNAVAILABLE");
                }
            };
            List<TdxSelftest.Step> failed = TdxSelftest.run(broken, Bytes.zeros(64));
            assertThat(failed.get(failed.size() - 1).name()).isEqualTo("GetQuote");
            assertThat(failed.get(failed.size() - 1).passed()).isFalse();
            assertThat(failed.get(failed.size() - 1).detail()).contains("0x8000000000000001");
        }
    }

    @Test
    void realSelftestOffATdFailsAtTheFirstStep() {
        List<TdxSelftest.Step> steps = TdxSelftest.run(TdxProviders.guest(context()), Bytes.zeros(64));
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).passed()).isFalse();
        assertThat(steps.get(0).detail()).contains("not a TDX guest");
    }
}
