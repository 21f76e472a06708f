// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

/** The guest POLICY (u64) the guest owner set at launch, decoded (formats.md §2.1). */
public record GuestPolicy(long raw) {
    public static final long SMT = 1L << 16;
    public static final long RESERVED_ONE = 1L << 17;
    public static final long MIGRATE_MA = 1L << 18;
    public static final long DEBUG = 1L << 19;
    public static final long SINGLE_SOCKET = 1L << 20;
    /** Bits 26-63 must be zero. */
    public static final long MBZ = ~((1L << 26) - 1);

    public int abiMinor() {
        return (int) (raw & 0xff);
    }

    public int abiMajor() {
        return (int) (raw >>> 8 & 0xff);
    }

    public boolean smtAllowed() {
        return (raw & SMT) != 0;
    }

    public boolean migrationAgentAllowed() {
        return (raw & MIGRATE_MA) != 0;
    }

    /** The hypervisor may debug the guest: read and write its memory. */
    public boolean debugAllowed() {
        return (raw & DEBUG) != 0;
    }

    public boolean singleSocket() {
        return (raw & SINGLE_SOCKET) != 0;
    }

    public boolean wellFormed() {
        return (raw & RESERVED_ONE) != 0 && (raw & MBZ) == 0;
    }

    @Override
    public String toString() {
        return String.format("0x%016x", raw);
    }
}
