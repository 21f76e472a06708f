// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.tdx.abi.GetQuoteBuffer;
import dev.guestattest.tdx.guest.QuoteService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The emulated host: a Quote Generation Service that answers GetQuote asynchronously on its own
 * thread, writing the quote and status into the shared buffer like a VMM does.
 */
public final class EmulatedQuoteService implements QuoteService, AutoCloseable {
    private final EmulatedQuotingEnclave qe;
    private final int version;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tdx-emulated-qgs");
        t.setDaemon(true);
        return t;
    });

    public EmulatedQuoteService(EmulatedQuotingEnclave qe, int version) {
        this.qe = qe;
        this.version = version;
    }

    @Override
    public void submit(GetQuoteBuffer buffer) {
        try {
            worker.execute(() -> serve(buffer));
        } catch (RejectedExecutionException e) {
            throw AttestationException.device(GetQuoteBuffer.STATUS_SERVICE_UNAVAILABLE, "GetQuote: emulated quoting service is shut down");
        }
    }

    private void serve(GetQuoteBuffer buffer) {
        try {
            byte[] quote = qe.quote(buffer.inputReport(), version);
            buffer.hostWrite(GetQuoteBuffer.STATUS_SUCCESS, quote.length, quote);
        } catch (AttestationException e) {
            buffer.hostWrite(GetQuoteBuffer.STATUS_ERROR, 0, new byte[0]);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
