// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.AttestationException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The ACPI "CCEL" table (formats.md §7.2): where the confidential-computing event log lives and what kind it is. */
public record CcelTable(int revision, int ccType, int ccSubtype, long logAreaMinimumLength, long logAreaStart) {
    public static final int SIZE = 56;
    public static final int CC_TYPE_SEV = 1;
    public static final int CC_TYPE_TDX = 2;

    public static CcelTable parse(byte[] table) {
        if (table.length != SIZE) {
            throw AttestationException.invalid("CCEL table", "must be " + SIZE + " bytes, got " + table.length);
        }
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        if (!new String(table, 0, 4, StandardCharsets.US_ASCII).equals("CCEL") || b.getInt(4) != SIZE) {
            throw AttestationException.invalid("CCEL table", "signature or length is not CCEL/" + SIZE);
        }
        int sum = 0;
        for (byte x : table) {
            sum += x & 0xff;
        }
        if ((sum & 0xff) != 0) {
            throw AttestationException.invalid("CCEL table", "ACPI checksum does not add up to zero");
        }
        return new CcelTable(table[8] & 0xff, table[36] & 0xff, table[37] & 0xff, b.getLong(40), b.getLong(48));
    }
}
