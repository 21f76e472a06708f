// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.examples;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Providers;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.tdx.abi.Quote;

/** docs/evidence.md: a quote through the Tsm core, from the emulated TDX (the same code takes tdx/configfs on a TD). */
public final class EvidenceExample {
    private EvidenceExample() {
    }

    public static Quote quote(byte[] nonce64) {
        Tsm tsm = new Tsm();                                   // one provider slot, like the kernel
        ReportProvider tdx = Providers.discover().byName("tdx/emulated").create(ProviderContext.defaults());
        tsm.register(tdx);
        Report r = tsm.report(ReportRequest.of(nonce64));      // private handle: write, read, generation check
        Quote q = Quote.parse(r.outblob().toArray());          // every field as Intel names it
        return q;
    }
}
