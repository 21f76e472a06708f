// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.guest;

import dev.guestattest.snp.abi.TcbVersion;

/** What an SNP guest can ask its secure processor beyond reports. */
public interface SnpGuest {
    /**
     * SNP_GET_DERIVED_KEY: a 32-byte key bound to the chip (root 0, VCEK) or the VM (root 1, VMRK),
     * the VMPL, and the launch fields {@code fieldSelect} picks (bit 0 policy, 1 image ID, 2 family ID,
     * 3 measurement, 4 guest SVN, 5 TCB version). The caller owns the returned array and should wipe it.
     */
    byte[] derivedKey(int rootKeySelect, long fieldSelect, int vmpl, long guestSvn, TcbVersion tcb);
}
