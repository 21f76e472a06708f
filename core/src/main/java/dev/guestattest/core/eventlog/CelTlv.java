// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCG Canonical Event Log in its TLV encoding (formats.md §7.3): type u8, length u32 big-endian,
 * value. A record is recnum (0), an index (1 PCR, 2 NV index, or Google's 108 CC-MR), digests (3,
 * nested TLVs typed by TPM algorithm ID) and one content TLV whose type is the content type.
 */
public final class CelTlv {
    public static final int RECNUM = 0;
    public static final int PCR = 1;
    public static final int NV_INDEX = 2;
    public static final int DIGESTS = 3;
    public static final int CC_MR = 108;
    /** GuestAttest's own events: nested TLV {0: description UTF-8, 1: data}. */
    public static final int CONTENT_GUEST_ATTEST = 0xA7;
    public static final int MAX_VALUE = 16 << 20;

    private CelTlv() {
    }

    /** One TLV element. */
    public record Tlv(int type, Bytes value) {
        public byte[] encode() {
            return ByteBuffer.allocate(5 + value.length()).put((byte) type).putInt(value.length()).put(value.toArray()).array();
        }
    }

    public static List<Tlv> elements(byte[] data, String what) {
        List<Tlv> out = new ArrayList<>();
        int at = 0;
        while (at < data.length) {
            if (data.length - at < 5) {
                throw AttestationException.invalid(what, "truncated TLV header at offset " + at);
            }
            int type = data[at] & 0xff;
            long len = ByteBuffer.wrap(data, at + 1, 4).getInt() & 0xffffffffL;
            if (len > MAX_VALUE || len > data.length - at - 5L) {
                throw AttestationException.invalid(what, "TLV at offset " + at + " declares " + len + " bytes; " + (data.length - at - 5)
                        + " remain");
            }
            out.add(new Tlv(type, Bytes.of(data, at + 5, (int) len)));
            at += 5 + (int) len;
        }
        return out;
    }

    public static List<Event> parse(byte[] data) {
        List<Event> events = new ArrayList<>();
        List<Tlv> all = elements(data, "CEL");
        int i = 0;
        while (i < all.size()) {
            Tlv recnum = all.get(i);
            if (recnum.type() != RECNUM || recnum.value().length() != 8) {
                throw AttestationException.invalid("CEL", "record " + events.size() + " does not start with an 8-byte recnum");
            }
            if (i + 3 >= all.size()) {
                throw AttestationException.invalid("CEL", "record " + events.size() + " is truncated");
            }
            Tlv index = all.get(i + 1);
            Tlv digests = all.get(i + 2);
            Tlv content = all.get(i + 3);
            Event.IndexKind kind = switch (index.type()) {
                case PCR -> Event.IndexKind.PCR;
                case NV_INDEX -> Event.IndexKind.NV;
                case CC_MR -> Event.IndexKind.CC_MR;
                default -> throw AttestationException.invalid("CEL", "record " + events.size() + " has index type " + index.type());
            };
            if (digests.type() != DIGESTS || index.value().length() == 0 || index.value().length() > 4) {
                throw AttestationException.invalid("CEL", "record " + events.size() + " lacks its index or digests");
            }
            List<Event.Digest> ds = new ArrayList<>();
            for (Tlv d : elements(digests.value().toArray(), "CEL record " + events.size() + " digests")) {
                HashAlgorithm alg = HashAlgorithm.byTpmId(d.type()).orElseThrow(() -> AttestationException.invalid("CEL",
                        "record uses unknown digest algorithm " + d.type()));
                if (d.value().length() != alg.size()) {
                    throw AttestationException.invalid("CEL", "record " + events.size() + " " + alg.label() + " digest is " + d.value().length()
                            + " bytes");
                }
                ds.add(new Event.Digest(alg, d.value()));
            }
            long rec = ByteBuffer.wrap(recnum.value().toArray()).getLong();
            events.add(new Event(rec, kind, (int) unsigned(index.value()), content.type(), ds, content.value()));
            i += 4;
        }
        return events;
    }

    /** One record in TLV form. */
    public static byte[] encode(Event e) {
        ByteArrayOutputStream digests = new ByteArrayOutputStream();
        for (Event.Digest d : e.digests()) {
            digests.writeBytes(new Tlv(d.algorithm().tpmId(), d.value()).encode());
        }
        int indexType = switch (e.indexKind()) {
            case PCR -> PCR;
            case NV -> NV_INDEX;
            case CC_MR -> CC_MR;
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new Tlv(RECNUM, Bytes.of(ByteBuffer.allocate(8).putLong(e.recnum()).array())).encode());
        out.writeBytes(new Tlv(indexType, Bytes.of(new byte[] {(byte) e.index()})).encode());
        out.writeBytes(new Tlv(DIGESTS, Bytes.of(digests.toByteArray())).encode());
        out.writeBytes(content(e).encode());
        return out.toByteArray();
    }

    /** The content TLV of an event: what its digest covers in GuestAttest's and Confidential Space's events. */
    public static Tlv content(Event e) {
        return new Tlv((int) e.type(), e.data());
    }

    private static long unsigned(Bytes b) {
        long v = 0;
        for (int i = 0; i < b.length(); i++) {
            v = v << 8 | (b.get(i) & 0xff);
        }
        return v;
    }
}
