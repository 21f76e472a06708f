// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.TdQuoteBody;
import dev.guestattest.tdx.abi.TdReport;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's selftest (the 2023 "selftests/tdx" flow): get a TDREPORT, request a quote for it,
 * check the status and that the quote carries the caller's report data. One verdict per step.
 */
public final class TdxSelftest {
    /** One step's verdict. */
    public record Step(String name, boolean passed, String detail) {
    }

    private TdxSelftest() {
    }

    public static List<Step> run(TdxGuest guest, Bytes reportData) {
        List<Step> steps = new ArrayList<>();
        TdReport report;
        try {
            report = guest.tdReport(reportData);
        } catch (AttestationException e) {
            steps.add(new Step("TDREPORT", false, e.getMessage()));
            return steps;
        }
        steps.add(new Step("TDREPORT", report.reportMac().teeType() == TdReport.TEE_TYPE_TDX,
                String.format("1024 bytes, TEE type 0x%02x, TDX 1.%d layout", report.reportMac().teeType(),
                        report.reportMac().version() == 0 ? 0 : 5)));
        steps.add(new Step("TDREPORT hashes", report.teeTcbInfoHashMatches() && report.teeInfoHashMatches(),
                "SHA-384 of TEE_TCB_INFO and TDINFO match REPORTMACSTRUCT"));
        steps.add(new Step("TDREPORT report data", report.reportMac().reportData().equals(reportData),
                "REPORTDATA equals the 64 input bytes"));
        byte[] raw;
        try {
            raw = guest.quote(report);
        } catch (AttestationException e) {
            steps.add(new Step("GetQuote", false, e.getMessage()
                    + e.vendorStatus().stream().mapToObj(s -> String.format(" (status 0x%016x)", s)).findFirst().orElse("")));
            return steps;
        }
        steps.add(new Step("GetQuote", true, "status SUCCESS, " + raw.length + " bytes"));
        Quote quote;
        try {
            quote = Quote.parse(raw);
        } catch (AttestationException e) {
            steps.add(new Step("quote format", false, e.getMessage()));
            return steps;
        }
        steps.add(new Step("quote format", true, "version " + quote.version() + ", TEE type 0x81, "
                + (quote.body().isTdx15() ? "TDX 1.5" : "TDX 1.0") + " body, certification data type "
                + quote.signatureData().certificationData().type()));
        steps.add(new Step("quote report data", quote.body().reportData().equals(reportData),
                "REPORTDATA in the quote equals the input"));
        TdQuoteBody body = quote.body();
        boolean same = body.mrTd().equals(report.tdInfo().mrTd()) && body.rtmrs().equals(report.tdInfo().rtmrs())
                && body.teeTcbSvn().equals(report.teeTcbInfo().teeTcbSvn());
        steps.add(new Step("quote measurements", same, "MRTD, RTMR0-3 and TEE_TCB_SVN match the TDREPORT"));
        return steps;
    }
}
