// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.util.List;
import java.util.Optional;

/**
 * One event of a measurement log, whatever its encoding: the register index it was extended into
 * (a PCR, or a CC MR index in CCEL and CEL type 108), its type (a TCG event type, or a CEL content
 * type), one digest per bank, and the raw event data.
 */
public record Event(long recnum, IndexKind indexKind, int index, long type, List<Digest> digests, Bytes data) {
    /** What the index numbers. */
    public enum IndexKind { PCR, CC_MR, NV }

    public record Digest(HashAlgorithm algorithm, Bytes value) {
    }

    public Event {
        digests = List.copyOf(digests);
    }

    public Optional<Bytes> digest(HashAlgorithm algorithm) {
        return digests.stream().filter(d -> d.algorithm() == algorithm).map(Digest::value).findFirst();
    }
}
