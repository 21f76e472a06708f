// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.ByteReader;
import dev.guestattest.core.codec.ByteWriter;
import dev.guestattest.core.codec.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The extended report's certificate table (formats.md §2.3): 24-byte entries {GUID, offset, length}
 * ended by an all-zero entry, offsets from the start of the table, each blob one DER certificate.
 */
public record CertTable(List<Entry> entries) {
    public static final int ENTRY_SIZE = 24;
    /** The kernel's certificate area is at most 16 KiB; hosts may hand out more through configfs. */
    public static final int MAX_SIZE = 1 << 20;
    public static final int MAX_ENTRIES = 64;

    public static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");
    public static final UUID VLEK = UUID.fromString("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
    /** The ASK's GUID, which also carries the ASVK. */
    public static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    public static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");

    public CertTable {
        entries = List.copyOf(entries);
    }

    public record Entry(UUID guid, Bytes certificate) {
    }

    public Optional<Bytes> find(UUID guid) {
        return entries.stream().filter(e -> e.guid().equals(guid)).map(Entry::certificate).findFirst();
    }

    public static CertTable parse(byte[] table) {
        if (table.length > MAX_SIZE) {
            throw AttestationException.tooLarge("certificate table", table.length, MAX_SIZE);
        }
        ByteReader r = new ByteReader("certificate table", table);
        List<Entry> entries = new ArrayList<>();
        while (true) {
            if (entries.size() > MAX_ENTRIES) {
                throw AttestationException.invalid("certificate table", "more than " + MAX_ENTRIES + " entries");
            }
            byte[] guid = r.rawBytes("entry " + entries.size() + " GUID", 16);
            long offset = r.u32("entry " + entries.size() + " offset");
            long length = r.u32("entry " + entries.size() + " length");
            if (offset == 0 && length == 0 && Bytes.of(guid).isZero()) {
                return new CertTable(entries);
            }
            if (length == 0 || offset + length > table.length || offset < r.position()) {
                throw AttestationException.invalid("certificate table entry " + entries.size(), "offset " + offset + " length " + length
                        + " lies outside the " + table.length + "-byte table (or inside its entries)");
            }
            entries.add(new Entry(guid(guid), Bytes.of(table, (int) offset, (int) length)));
        }
    }

    /** The table as a guest receives it: entries, the zero terminator, then the certificates. */
    public byte[] toBytes() {
        int header = (entries.size() + 1) * ENTRY_SIZE;
        ByteWriter w = new ByteWriter(header + entries.stream().mapToInt(e -> e.certificate().length()).sum());
        int offset = header;
        for (Entry e : entries) {
            w.bytes(guidBytes(e.guid())).u32(offset).u32(e.certificate().length());
            offset += e.certificate().length();
        }
        w.bytes(new byte[ENTRY_SIZE]);
        entries.forEach(e -> w.bytes(e.certificate()));
        return w.toByteArray();
    }

    /** The Microsoft mixed-endian GUID layout: the first three fields little-endian. */
    static UUID guid(byte[] b) {
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long d1 = le.getInt(0) & 0xffffffffL;
        long d2 = le.getShort(4) & 0xffffL;
        long d3 = le.getShort(6) & 0xffffL;
        long msb = d1 << 32 | d2 << 16 | d3;
        long lsb = ByteBuffer.wrap(b, 8, 8).order(ByteOrder.BIG_ENDIAN).getLong();
        return new UUID(msb, lsb);
    }

    static byte[] guidBytes(UUID u) {
        ByteBuffer b = ByteBuffer.allocate(16);
        long msb = u.getMostSignificantBits();
        b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (msb >>> 32)).putShort((short) (msb >>> 16)).putShort((short) msb);
        b.order(ByteOrder.BIG_ENDIAN).putLong(u.getLeastSignificantBits());
        return b.array();
    }
}
