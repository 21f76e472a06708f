// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.state.AtomicFiles;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.QeReportCertificationData;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
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
        description = {"The main job on the emulated TDX: a nonce in, a TDREPORT, a quote from the Quoting Enclave, the quote on disk, verified;",
                "then keys for keys: an embedded key broker releases a secret to the attested TD and refuses a tampered and a replayed attempt."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the quote (default: <state-dir>/demo/quote.bin)")
    Path out;

    @Override
    public Integer call() {
        ProviderContext context = common.context();
        HexFormat hex = HexFormat.of();
        System.out.println("[1/11] emulated TDX platform in " + TdxEmulatedProvider.stateDir(context));
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
            System.out.println("      root CA sha256 " + tdx.platform().rootFingerprint()
                    + " (guest-attest emulator root prints it)");
            Tsm tsm = new Tsm();
            tsm.register(tdx);
            System.out.println("[2/11] registered provider " + tsm.providerName().orElseThrow() + " with the Tsm core");
            byte[] nonce = new byte[64];
            new SecureRandom().nextBytes(nonce);
            System.out.println("[3/11] caller data (64-byte nonce) " + hex.formatHex(nonce, 0, 16) + "...");
            TdReport td = tdx.tdReport(Bytes.of(nonce));
            System.out.println("[4/11] TDREPORT: 1024 bytes, MRTD " + td.tdInfo().mrTd().hex().substring(0, 24)
                    + "..., hashes " + (td.teeTcbInfoHashMatches() && td.teeInfoHashMatches() ? "ok" : "BAD"));
            Report report = tsm.report(ReportRequest.of(nonce));
            Quote quote = Quote.parse(report.outblob().toArray());
            QeReportCertificationData qe = quote.qeReportCertificationData();
            System.out.println("[5/11] GetQuote: SUCCESS, quote v" + quote.version() + ", " + report.outblob().length()
                    + " bytes, QE ISVSVN " + qe.qeReport().isvSvn() + ", report data "
                    + (quote.body().reportData().equals(Bytes.of(nonce)) ? "matches the nonce" : "DOES NOT MATCH"));
            Path target = out != null ? out : demoDirectory(context).resolve("quote.bin");
            OutputFiles.write("--out", target, report.outblob().toArray());
            System.out.println("[6/11] wrote the quote to " + target.toAbsolutePath());
            tsm.unregister(tdx, Duration.ofSeconds(5));
            Collateral collateral = EmulatedCollateral.issue(tdx.platform(), context.clock().instant(), Duration.ofDays(30), false,
                    context.random());
            TdxVerification v = TdxVerifier.builder().trust(tdx.platform().rootCertificate()).clock(context.clock()).build()
                    .verify(report.outblob().toArray(), collateral);
            // the same judgement as verify --tdx --report-data: the appraiser's, on the vendor's verification
            dev.guestattest.verify.Appraisal a = dev.guestattest.verify.Appraiser.discover().judge("tdx",
                    new dev.guestattest.core.verify.Evidence(Optional.of("tdx"), report.outblob(), java.util.Map.of()),
                    TdxEvidenceVerifier.of(v), dev.guestattest.verify.AppraisalContext.of(
                            dev.guestattest.verify.policy.Policy.forVerification("tdx").build(), context.clock().instant())
                            .withReportData(Bytes.of(nonce)));
            boolean trusted = a.failures().isEmpty();
            System.out.println("[7/11] verified against the emulator's root and collateral: " + (trusted
                    ? "trusted (" + v.tcb().orElseThrow().status() + "), " + a.checks().size() + " checks passed"
                    : "NOT trusted: " + a.failures().get(0)));
            if (!trusted) {
                return Main.CHECK_FAILED;
            }
            // the demo narrates each of its broker's decisions itself: the broker's own decision lines would interleave
            java.util.logging.Logger decisions = java.util.logging.Logger.getLogger(dev.guestattest.broker.Broker.DECISION_LOG);
            java.util.logging.Level before = decisions.getLevel();
            dev.guestattest.broker.Broker.decisionsAtWarningOnly();
            try {
                return brokerRound(context, tdx, quote.body().mrTd());
            } finally {
                decisions.setLevel(before);
            }
        }
    }

    /** {@code <state-dir>/demo}, created 0700 before anything lands in it: it holds the demo broker's store and key. */
    private static Path demoDirectory(ProviderContext context) {
        Path dir = context.stateDir().resolve("demo");
        try {
            AtomicFiles.createPrivateDirectories(dir);
        } catch (java.io.IOException e) {
            throw dev.guestattest.core.AttestationException.of(dev.guestattest.core.Reason.IO_ERROR, "demo directory: " + e.getMessage());
        }
        return dir;
    }

    /** Keys for keys: an embedded broker on loopback, a secret released to the attested TD, a tampered and a replayed attempt refused. */
    private static int brokerRound(ProviderContext context, TdxEmulatedProvider tdx, Bytes mrTd) {
        Path store;
        try {
            store = java.nio.file.Files.createTempDirectory(demoDirectory(context), "broker-");
        } catch (java.io.IOException e) {
            throw dev.guestattest.core.AttestationException.of(dev.guestattest.core.Reason.IO_ERROR, "demo broker store: " + e.getMessage());
        }
        dev.guestattest.broker.BrokerConfig config = dev.guestattest.broker.BrokerConfig.DEFAULT.withRoots("tdx",
                java.util.List.of(tdx.platform().rootCertificate()));
        byte[] admin = new byte[32];
        context.random().nextBytes(admin);
        // the guest sends its quote alone; the broker fetches the collateral from the emulated PCS ('emulator serve'), as from Intel's
        try (EmulatedServer pcs = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(context, Duration.ofDays(1)),
                EmulatedServer.Faults.none(), line -> { });
             dev.guestattest.broker.store.Database db = dev.guestattest.broker.store.Database.open(store.toString())) {
            CollateralService collateral = CollateralService.builder().origins(Origins.none().with(Origins.PCS, pcs.uri()))
                    .store(new dev.guestattest.broker.store.CollateralDocuments(db)).clock(context.clock()).build();
            dev.guestattest.broker.Broker broker = new dev.guestattest.broker.Broker(db, dev.guestattest.broker.store.Kek.loadOrCreate(store.resolve("kek")),
                    config, dev.guestattest.verify.Appraiser.discover().withCollateral(collateral), context.clock());
            broker.setAttestationPolicy(("{\"id\": \"demo\", \"tees\": [\"tdx\"], \"allow_debug\": false, \"reference_values\":"
                    + " {\"initial_measurement\": [\"" + mrTd.hex() + "\"]}}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "demo");
            byte[] secret = "the demo's disk key: keys for keys".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            broker.putResource("demo/key/disk", secret, "demo");
            try (dev.guestattest.broker.http.BrokerServer server = dev.guestattest.broker.http.BrokerServer.start(broker, "127.0.0.1", 0, admin,
                    Optional.empty())) {
                System.out.println("[8/11] key broker on " + server.uri() + " (store " + store + "): policy 'demo' (this MRTD, debug off), "
                        + "secret demo/key/disk sealed at rest; collateral fetched from the emulated PCS on " + pcs.uri());
                java.util.List<dev.guestattest.core.verify.Evidence> seen = new java.util.ArrayList<>();
                dev.guestattest.broker.client.KbsClient.Attester honest = rd -> {
                    var e = new dev.guestattest.core.verify.Evidence(Optional.empty(), tdx.report(ReportRequest.of(rd.toArray())).outblob(),
                            java.util.Map.of());
                    seen.add(e);
                    return e;
                };
                var client = new dev.guestattest.broker.client.KbsClient(server.uri(), Duration.ofSeconds(30));
                dev.guestattest.keys.Secret got = client.get("tdx", honest, "demo/key/disk");
                boolean same = got.apply(b -> java.util.Arrays.equals(b, secret));
                System.out.println("[9/11] RCAR with a key pair made for the exchange: attested (affirming), received " + got.length()
                        + " bytes wrapped to that key, " + (same ? "equal to what was stored" : "DIFFERENT from what was stored")
                        + " (the secret is not printed)");
                got.destroy();
                String tampered = refusal(() -> client.get("tdx", rd -> {
                    byte[] q = tdx.report(ReportRequest.of(rd.toArray())).outblob().toArray();
                    q[200] ^= 1; // one bit of the TD's measurements
                    return new dev.guestattest.core.verify.Evidence(Optional.empty(), Bytes.of(q), java.util.Map.of());
                }, "demo/key/disk"));
                System.out.println("[10/11] a tampered quote: refused (" + tampered + ")");
                String replayed = refusal(() -> client.get("tdx", rd -> seen.get(0), "demo/key/disk"));
                System.out.println("[11/11] the first exchange's quote replayed on a new session: refused (" + replayed + ")");
                return same && !tampered.isEmpty() && !replayed.isEmpty() ? Main.OK : Main.CHECK_FAILED;
            }
        }
    }

    /** The broker's reason for refusing, or empty when it did not refuse. */
    private static String refusal(Runnable attempt) {
        try {
            attempt.run();
            return "";
        } catch (dev.guestattest.core.AttestationException e) {
            String m = e.getMessage();
            return m.length() > 160 ? m.substring(0, 157) + "..." : m;
        }
    }
}
