// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

/**
 * A TCB_VERSION (u64): the security patch levels of the firmware parts. Its byte layout depends on
 * the product (formats.md §2.2), so the parts are read through a {@link Layout}.
 */
public record TcbVersion(long raw) {
    /** Milan and Genoa: BL, TEE, 4 reserved, SNP, MICROCODE. Turin: FMC, BL, TEE, SNP, 3 reserved, MICROCODE. */
    public enum Layout { MILAN_GENOA, TURIN }

    /** The patch levels; {@code fmc} is always 0 in the Milan/Genoa layout. */
    public record Parts(int fmc, int bootLoader, int tee, int snp, int microcode) {
        public Parts {
            for (int v : new int[] {fmc, bootLoader, tee, snp, microcode}) {
                if (v < 0 || v > 255) {
                    throw dev.guestattest.core.AttestationException.invalid("TCB part", v + " is outside 0..255");
                }
            }
        }

        @Override
        public String toString() {
            return "bl " + bootLoader + ", tee " + tee + ", snp " + snp + ", ucode " + microcode + (fmc != 0 ? ", fmc " + fmc : "");
        }
    }

    public Parts parts(Layout layout) {
        return layout == Layout.TURIN
                ? new Parts(b(0), b(1), b(2), b(3), b(7))
                : new Parts(0, b(0), b(1), b(6), b(7));
    }

    public static TcbVersion of(Layout layout, Parts p) {
        long v = layout == Layout.TURIN
                ? (long) p.fmc() | (long) p.bootLoader() << 8 | (long) p.tee() << 16 | (long) p.snp() << 24
                : (long) p.bootLoader() | (long) p.tee() << 8 | (long) p.snp() << 48;
        return new TcbVersion(v | (long) p.microcode() << 56);
    }

    /** Whether every part is at least {@code minimum}'s (the TCB is not older in any part). */
    public boolean atLeast(TcbVersion minimum, Layout layout) {
        Parts a = parts(layout);
        Parts m = minimum.parts(layout);
        return a.fmc() >= m.fmc() && a.bootLoader() >= m.bootLoader() && a.tee() >= m.tee() && a.snp() >= m.snp()
                && a.microcode() >= m.microcode();
    }

    private int b(int i) {
        return (int) (raw >>> (8 * i)) & 0xff;
    }

    @Override
    public String toString() {
        return String.format("0x%016x", raw);
    }
}
