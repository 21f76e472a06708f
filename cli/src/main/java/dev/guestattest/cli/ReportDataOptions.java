// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.codec.Bytes;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The report data evidence must carry, as verify and appraise take it: the same padding rule as {@code report --pad}. */
final class ReportDataOptions {
    @Option(names = "--report-data", paramLabel = "HEX", description = "The report data (nonce binding, up to 64 bytes) the evidence"
            + " must carry: exactly these bytes, or with --pad these bytes zero-padded to 64")
    String hex;

    @Option(names = "--pad", description = "Zero-pad a shorter --report-data to 64 bytes, as 'report --pad' pads caller data")
    boolean pad;

    Optional<Bytes> expected() {
        return Optional.ofNullable(hex).map(h -> Bytes.of(InblobOptions.padded("--report-data",
                Bytes.fromHex("--report-data", h).toArray(), pad)));
    }
}
