// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Recomputes registers from events and compares them with what evidence says. */
public final class Replay {
    private Replay() {
    }

    /** Each event extends its index in {@code bank}: {@code R = H(R || digest)}, from {@code initial} or zeros. */
    public static Map<Integer, Bytes> replay(List<Event> events, HashAlgorithm bank, Map<Integer, Bytes> initial) {
        Map<Integer, byte[]> regs = new TreeMap<>();
        initial.forEach((k, v) -> regs.put(k, v.toArray()));
        for (Event e : events) {
            Bytes digest = e.digest(bank).orElseThrow(() -> AttestationException.invalid("event " + e.recnum(),
                    "has no " + bank.label() + " digest to replay"));
            byte[] old = regs.computeIfAbsent(e.index(), i -> new byte[bank.size()]);
            regs.put(e.index(), bank.extend(old, digest.toArray()));
        }
        Map<Integer, Bytes> out = new TreeMap<>();
        regs.forEach((k, v) -> out.put(k, Bytes.of(v)));
        return out;
    }

    /** How a replayed log relates to a register's actual value. */
    public enum Match {
        /** The log accounts for the register exactly. */
        EXACT,
        /**
         * The register equals the replay without the last event: that event was logged and then
         * the extend did not happen (a crash between the two). The event did not take effect;
         * anything it describes must not be trusted as measured.
         */
        LAST_EVENT_NOT_APPLIED,
        /** The log does not account for the register. */
        MISMATCH
    }

    /** Compares the log's events for {@code index} with {@code actual}, allowing only the crash case above. */
    public static Match compare(List<Event> events, int index, HashAlgorithm bank, Bytes actual) {
        List<Event> mine = events.stream().filter(e -> e.index() == index).toList();
        Bytes all = replay(mine, bank, Map.of()).getOrDefault(index, Bytes.zeros(bank.size()));
        if (all.equals(actual)) {
            return Match.EXACT;
        }
        if (!mine.isEmpty()) {
            Bytes allButLast = replay(mine.subList(0, mine.size() - 1), bank, Map.of()).getOrDefault(index, Bytes.zeros(bank.size()));
            if (allButLast.equals(actual)) {
                return Match.LAST_EVENT_NOT_APPLIED;
            }
        }
        return Match.MISMATCH;
    }
}
