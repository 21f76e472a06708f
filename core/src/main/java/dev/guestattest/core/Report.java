// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import dev.guestattest.core.codec.Bytes;
import java.util.Objects;

/**
 * A generated report as a configfs-tsm item exposes it.
 *
 * @param outblob the vendor evidence (TDX quote, SNP report, CCA token...)
 * @param auxblob supplementary data such as the SNP certificate table; may be empty
 * @param manifestblob the SVSM service manifest; may be empty
 * @param provider the provider that produced it, e.g. {@code tdx/emulated}
 * @param generation the input generation these outputs belong to
 */
public record Report(Bytes outblob, Bytes auxblob, Bytes manifestblob, String provider, long generation) {
    public Report {
        Objects.requireNonNull(outblob, "outblob");
        Objects.requireNonNull(auxblob, "auxblob");
        Objects.requireNonNull(manifestblob, "manifestblob");
        Objects.requireNonNull(provider, "provider");
    }

    static Report of(ReportBlobs blobs, String provider, long generation) {
        return new Report(blobs.outblob(), blobs.auxblob(), blobs.manifestblob(), provider, generation);
    }
}
