// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TCG PC Client crypto-agile event log (formats.md §7.1), as UEFI hands it to the OS and TDX
 * firmware writes it into the CCEL area: a Spec ID header, then TCG_PCR_EVENT2 records until the end
 * of the buffer or the 0xFF padding of the area. Malformed input is an error naming the offset.
 */
public record Tcg2Log(Map<HashAlgorithm, Integer> banks, List<Event> events, Optional<Integer> startupLocality, int bytesUsed) {
    public static final long EV_NO_ACTION = 0x3;
    public static final int MAX_EVENT = 16 << 20;
    private static final byte[] SPEC_ID = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);

    public Tcg2Log {
        banks = Map.copyOf(banks);
        events = List.copyOf(events);
    }

    /** Parses a log whose indexes are {@code indexKind} (PCRs for UEFI logs, CC MR indexes for CCEL). */
    public static Tcg2Log parse(byte[] log, Event.IndexKind indexKind) {
        ByteReader r = new ByteReader("event log", log);
        r.u32("header PCRIndex"); // 0 in UEFI logs; TDVF writes 1 in the CCEL
        long type = r.u32("header EventType");
        r.bytes("header digest", 20);
        int size = r.length32("header EventSize", 4096);
        int specStart = r.position();
        if (type != EV_NO_ACTION || size < 33 || !Arrays.equals(r.rawBytes("Spec ID signature", 16), SPEC_ID)) {
            throw AttestationException.invalid("event log", "does not start with a crypto-agile Spec ID Event03 header (offset 0)");
        }
        r.u32("platformClass");
        r.u8("specVersionMinor");
        int major = r.u8("specVersionMajor");
        r.u8("specErrata");
        r.u8("uintnSize");
        long count = r.u32("numberOfAlgorithms");
        if (major != 2 || count == 0 || count > 8) {
            throw AttestationException.invalid("event log", "Spec ID: version major " + major + ", " + count + " algorithms (offset "
                    + specStart + ")");
        }
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        Map<HashAlgorithm, Integer> banks = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int id = r.u16("algorithm " + i + " id");
            int digestSize = r.u16("algorithm " + i + " size");
            sizes.put(id, digestSize);
            HashAlgorithm.byTpmId(id).ifPresent(a -> banks.put(a, digestSize));
        }
        int vendor = r.u8("vendorInfoSize");
        r.bytes("vendorInfo", vendor);
        if (r.position() != specStart + size) {
            throw AttestationException.invalid("event log", "Spec ID event size " + size + " does not match its content (offset " + specStart + ")");
        }
        List<Event> events = new ArrayList<>();
        Optional<Integer> locality = Optional.empty();
        while (r.remaining() >= 8) {
            int at = r.position();
            if (log[at] == (byte) 0xff && log[at + 1] == (byte) 0xff && log[at + 2] == (byte) 0xff && log[at + 3] == (byte) 0xff) {
                break; // the rest of a CCEL area is 0xFF padding
            }
            long index = r.u32("event " + events.size() + " index");
            long eventType = r.u32("event " + events.size() + " type");
            long n = r.u32("event " + events.size() + " digest count");
            if (n > count) {
                throw AttestationException.invalid("event log", "event " + events.size() + " at offset " + at + " has " + n + " digests for "
                        + count + " banks");
            }
            List<Event.Digest> digests = new ArrayList<>();
            for (int d = 0; d < n; d++) {
                int id = r.u16("event " + events.size() + " digest algorithm");
                Integer digestSize = sizes.get(id);
                if (digestSize == null) {
                    throw AttestationException.invalid("event log", String.format("event %d at offset %d uses algorithm 0x%04x, not in the Spec ID",
                            events.size(), at, id));
                }
                Bytes value = r.bytes("event " + events.size() + " digest", digestSize);
                HashAlgorithm.byTpmId(id).ifPresent(a -> digests.add(new Event.Digest(a, value)));
            }
            int eventSize = r.length32("event " + events.size() + " size", MAX_EVENT);
            Bytes data = r.bytes("event " + events.size() + " data", eventSize);
            if (index > 0xffff) {
                throw AttestationException.invalid("event log", "event " + events.size() + " at offset " + at + " has index " + index);
            }
            if (eventType == EV_NO_ACTION && data.length() == 17 && Arrays.equals(Arrays.copyOf(data.toArray(), 16), STARTUP_LOCALITY)) {
                locality = Optional.of(data.get(16) & 0xff);
            }
            events.add(new Event(events.size(), indexKind, (int) index, eventType, digests, data));
        }
        return new Tcg2Log(banks, events, locality, r.position());
    }

    /**
     * The register values this log produces in one bank: every event but EV_NO_ACTION extends its
     * index from zero (PCR 0 from the StartupLocality value when the log has one).
     */
    public Map<Integer, Bytes> replay(HashAlgorithm bank) {
        Map<Integer, Bytes> initial = new LinkedHashMap<>();
        startupLocality.ifPresent(l -> {
            byte[] start = new byte[bank.size()];
            start[start.length - 1] = (byte) (int) l;
            initial.put(0, Bytes.of(start));
        });
        return Replay.replay(events.stream().filter(e -> e.type() != EV_NO_ACTION).toList(), bank, initial);
    }
}
