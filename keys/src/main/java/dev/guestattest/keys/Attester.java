// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import java.util.Optional;

/** Turns a report request into evidence; the upcall handler's only view of the TEE. */
@FunctionalInterface
public interface Attester {
    Report attest(ReportRequest request);

    /** The named provider (else the real one found here), opened for one report and closed after it. */
    static Attester provider(Optional<String> name, ProviderContext context) {
        return request -> {
            try (ProviderSession session = ProviderSession.open(name, context)) {
                return session.report(request);
            }
        };
    }
}
