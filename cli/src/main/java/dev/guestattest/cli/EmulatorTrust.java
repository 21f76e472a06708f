// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import java.util.Map;
import java.util.Optional;

/**
 * The emulated TEEs' trust anchors, for a broker that should accept their evidence (demos, tests),
 * as each TEE declares them ({@link Tee#emulatorAnchors}). And what the emulated "Intel
 * PCS" would serve a guest: collateral for the emulated TDX platform.
 */
final class EmulatorTrust {
    private EmulatorTrust() {
    }

    /** Every emulator's anchors, as each TEE declares them. */
    static BrokerConfig apply(ProviderContext ctx, BrokerConfig config) {
        BrokerConfig c = config;
        for (Tee t : Tees.discover().all()) {
            Optional<EmulatorAnchors> anchors = t.emulatorAnchors(ctx);
            if (anchors.isEmpty()) {
                continue;
            }
            if (!anchors.get().roots().isEmpty()) {
                c = c.withRoots(t.name(), anchors.get().roots());
            }
            for (Map.Entry<String, Bytes> aux : anchors.get().trustedAux().entrySet()) {
                c = c.withTrustedAux(t.name(), aux.getKey(), aux.getValue());
            }
        }
        return c;
    }
}
