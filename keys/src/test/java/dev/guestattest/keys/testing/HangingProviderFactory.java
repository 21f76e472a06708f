// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.testing;

import dev.guestattest.core.Availability;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;

/** {@code test/hang}: a provider that never answers, for the bound on an upcall. Found by ServiceLoader in test runs. */
public final class HangingProviderFactory implements ProviderFactory {
    public static final String NAME = "test/hang";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "test provider that never answers";
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public Availability probe(ProviderContext context) {
        return Availability.yes("test");
    }

    @Override
    public ReportProvider create(ProviderContext context) {
        return new ReportProvider() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public boolean emulated() {
                return true;
            }

            @Override
            public InputRules inputRules() {
                return InputRules.exactly(64, true, false);
            }

            @Override
            public ReportBlobs report(ReportRequest request) {
                while (true) {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException ignored) {
                        // a hung device ignores interrupts too
                    }
                }
            }
        };
    }
}
