// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.AttestationException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** A TPML_PCR_SELECTION with one bank: which PCRs (0..23) of which hash algorithm. */
public record PcrSelection(int hashAlg, SortedSet<Integer> pcrs) {
    /** Every PCR of a bank: 0..23, as guest-components' attester and Azure's vTPM quote them. */
    public static final SortedSet<Integer> EVERY_PCR = java.util.Collections.unmodifiableSortedSet(
            new TreeSet<>(java.util.stream.IntStream.range(0, 24).boxed().toList()));

    public PcrSelection {
        pcrs = new TreeSet<>(pcrs);
        for (int p : pcrs) {
            if (p < 0 || p > 23) {
                throw AttestationException.invalid("PCR", p + " is outside 0..23");
            }
        }
    }

    public void write(TpmWriter w) {
        w.u32(1).u16(hashAlg).u8(3);
        byte[] select = new byte[3];
        pcrs.forEach(p -> select[p / 8] |= (byte) (1 << (p % 8)));
        w.bytes(select);
    }

    /** Reads a TPML_PCR_SELECTION; GuestAttest quotes one bank, so more than one is refused. */
    public static PcrSelection read(TpmReader r) {
        long count = r.u32("pcrSelect.count");
        if (count != 1) {
            throw AttestationException.invalid("PCR selection", count + " banks; GuestAttest quotes exactly one");
        }
        int alg = r.u16("pcrSelect.hash");
        int size = r.u8("pcrSelect.sizeofSelect");
        if (size > 4) {
            throw AttestationException.invalid("PCR selection", "sizeofSelect " + size + " exceeds 4");
        }
        BitSet bits = BitSet.valueOf(r.bytes("pcrSelect.pcrSelect", size).toArray());
        SortedSet<Integer> pcrs = new TreeSet<>();
        bits.stream().forEach(pcrs::add);
        return new PcrSelection(alg, pcrs);
    }

    /** The PCRs in chunks of at most 8, since PCR_Read answers at most 8 digests per call. */
    public List<PcrSelection> chunks() {
        List<PcrSelection> out = new ArrayList<>();
        List<Integer> all = new ArrayList<>(pcrs);
        for (int i = 0; i < all.size(); i += 8) {
            out.add(new PcrSelection(hashAlg, new TreeSet<>(all.subList(i, Math.min(all.size(), i + 8)))));
        }
        return out;
    }
}
