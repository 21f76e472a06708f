package dev.guestattest.cli;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.QeReportCertificationData;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job on the emulated TDX: a nonce in, a TDREPORT, a quote from the Quoting Enclave, the quote on disk, verified.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the quote (default: <state-dir>/demo/quote.bin)")
    Path out;

    @Override
    public Integer call() {
        ProviderContext context = common.context();
        HexFormat hex = HexFormat.of();
        System.out.println("[1/7] emulated TDX platform in " + TdxEmulatedProvider.stateDir(context));
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
            System.out.println("      root CA sha256 " + tdx.platform().rootFingerprint()
                    + " (guest-attest emulator root prints it)");
            Tsm tsm = new Tsm();
            tsm.register(tdx);
            System.out.println("[2/7] registered provider " + tsm.providerName().orElseThrow() + " with the Tsm core");
            byte[] nonce = new byte[64];
            new SecureRandom().nextBytes(nonce);
            System.out.println("[3/7] caller data (64-byte nonce) " + hex.formatHex(nonce, 0, 16) + "...");
            TdReport td = tdx.tdReport(Bytes.of(nonce));
            System.out.println("[4/7] TDREPORT: 1024 bytes, MRTD " + td.tdInfo().mrTd().hex().substring(0, 24)
                    + "..., hashes " + (td.teeTcbInfoHashMatches() && td.teeInfoHashMatches() ? "ok" : "BAD"));
            Report report = tsm.report(ReportRequest.of(nonce));
            Quote quote = Quote.parse(report.outblob().toArray());
            QeReportCertificationData qe = quote.qeReportCertificationData();
            System.out.println("[5/7] GetQuote: SUCCESS, quote v" + quote.version() + ", " + report.outblob().length()
                    + " bytes, QE ISVSVN " + qe.qeReport().isvSvn() + ", report data "
                    + (quote.body().reportData().equals(Bytes.of(nonce)) ? "matches the nonce" : "DOES NOT MATCH"));
            Path target = out != null ? out : context.stateDir().resolve("demo").resolve("quote.bin");
            OutputFiles.write("--out", target, report.outblob().toArray());
            System.out.println("[6/7] wrote the quote to " + target.toAbsolutePath());
            tsm.unregister(tdx, Duration.ofSeconds(5));
            Collateral collateral = EmulatedCollateral.issue(tdx.platform(), context.clock().instant(), Duration.ofDays(30), false,
                    context.random());
            TdxVerification v = TdxVerifier.builder().trust(tdx.platform().rootCertificate()).clock(context.clock()).build()
                    .verify(report.outblob().toArray(), collateral, Optional.of(Bytes.of(nonce)));
            System.out.println("[7/7] verified against the emulator's root and collateral: " + (v.trusted()
                    ? "trusted (" + v.tcb().orElseThrow().status() + "), " + v.result().checks().size() + " checks passed"
                    : "NOT trusted: " + v.result().firstFailure().orElseThrow()));
            if (!v.trusted()) {
                return Main.CHECK_FAILED;
            }
        }
        return Main.OK;
    }
}
