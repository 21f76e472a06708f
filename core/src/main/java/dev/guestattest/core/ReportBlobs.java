// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import dev.guestattest.core.codec.Bytes;
import java.util.Objects;

/**
 * What a provider produces for one request: the evidence (outblob) and its optional companions.
 * An empty outblob is never a valid result (the kernel's "empty quote" bug, linux-abi.md §5.4).
 */
public record ReportBlobs(Bytes outblob, Bytes auxblob, Bytes manifestblob) {
    /** The configfs-tsm limit on each blob since Linux 7.0 (16 MiB). */
    public static final int BLOB_MAX = 16 * 1024 * 1024;

    public ReportBlobs {
        Objects.requireNonNull(outblob, "outblob");
        Objects.requireNonNull(auxblob, "auxblob");
        Objects.requireNonNull(manifestblob, "manifestblob");
        if (outblob.length() == 0) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "outblob: the provider returned empty evidence");
        }
        check("outblob", outblob);
        check("auxblob", auxblob);
        check("manifestblob", manifestblob);
    }

    private static void check(String field, Bytes blob) {
        if (blob.length() > BLOB_MAX) {
            throw AttestationException.tooLarge(field, blob.length(), BLOB_MAX);
        }
    }

    public static ReportBlobs of(byte[] outblob) {
        return new ReportBlobs(Bytes.of(outblob), Bytes.EMPTY, Bytes.EMPTY);
    }
}
