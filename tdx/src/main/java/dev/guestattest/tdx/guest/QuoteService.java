// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.tdx.abi.GetQuoteBuffer;

/**
 * The host side of TDG.VP.VMCALL&lt;GetQuote&gt;: the VMM and its Quote Generation Service. The
 * call only queues the request and returns; the service later writes the quote and the status
 * into the shared buffer. A failing hypercall throws.
 */
@FunctionalInterface
public interface QuoteService {
    void submit(GetQuoteBuffer buffer);
}
