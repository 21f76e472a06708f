// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.TdxInput;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.guest.GetQuote;
import dev.guestattest.tdx.guest.TdxGuest;

/**
 * {@code tdx/emulated}: the software TD, its emulated Quoting Enclave behind an emulated host,
 * reached through the same GetQuote semantics as a real guest. Never chosen automatically.
 */
public final class TdxEmulatedProvider implements ReportProvider, TdxGuest, AutoCloseable {
    public static final String NAME = "tdx/emulated";
    /** Setting naming the quote version, 4 (default) or 5. */
    public static final String QUOTE_VERSION = "tdx.quote-version";
    /** Setting naming the emulated QE's ECDSA implementation, {@code jdk} (default) or {@code bc}. */
    public static final String SIGNER = "tdx.emulator.signer";

    private final EmulatedPlatform platform;
    private final EmulatedTd td;
    private final EmulatedQuoteService service;
    private final GetQuote getQuote;

    private TdxEmulatedProvider(EmulatedPlatform platform, int version, ProviderContext context) {
        this.platform = platform;
        this.td = EmulatedTd.open(platform);
        EmulatedQuotingEnclave.Signer signer = EmulatedQuotingEnclave.Signer.parse(context.setting(SIGNER).orElse("jdk"));
        this.service = new EmulatedQuoteService(new EmulatedQuotingEnclave(platform, signer), version);
        this.getQuote = new GetQuote(service, context.quoteTimeout());
    }

    public static TdxEmulatedProvider open(ProviderContext context) {
        int version = quoteVersion(context);
        EmulatedPlatform platform = EmulatedPlatform.open(stateDir(context), context.random(), context.clock());
        return new TdxEmulatedProvider(platform, version, context);
    }

    /** Where the emulated TDX platform keeps its state: {@code <state dir>/tdx}. */
    public static java.nio.file.Path stateDir(ProviderContext context) {
        return context.stateDir().resolve("tdx");
    }

    static int quoteVersion(ProviderContext context) {
        String v = context.setting(QUOTE_VERSION).orElse("4");
        return switch (v) {
            case "4" -> Quote.V4;
            case "5" -> Quote.V5;
            default -> throw AttestationException.invalid("quote-version", "'" + v + "'; must be 4 or 5");
        };
    }

    public EmulatedPlatform platform() {
        return platform;
    }

    public EmulatedTd td() {
        return td;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public java.util.Optional<dev.guestattest.core.mr.MeasurementRegisters> measurementRegisters() {
        return java.util.Optional.of(new EmulatedTdRegisters(td));
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public InputRules inputRules() {
        return TdxInput.INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        return ReportBlobs.of(quote(tdReport(request.inblob())));
    }

    @Override
    public TdReport tdReport(Bytes reportData) {
        return td.report(reportData);
    }

    @Override
    public byte[] quote(TdReport report) {
        return getQuote.quote(report);
    }

    @Override
    public void close() {
        service.close();
    }
}
