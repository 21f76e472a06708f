// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where a broker gets the collateral guests do not send, as its settings file says it (the
 * {@code collateral} section); command-line options override each one. Empty: Intel's PCS and
 * AMD's KDS, no directory, no grace.
 */
public record CollateralSettings(Optional<URI> pcs, Optional<URI> kds, List<Path> directories, boolean offline, Optional<Duration> grace) {
    public static final CollateralSettings DEFAULT = new CollateralSettings(Optional.empty(), Optional.empty(), List.of(), false,
            Optional.empty());

    public CollateralSettings {
        directories = List.copyOf(directories);
    }
}
