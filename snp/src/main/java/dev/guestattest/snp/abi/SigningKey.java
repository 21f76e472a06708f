// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

/** Which key signed a report (signer info bits 2-4). */
public enum SigningKey {
    VCEK, VLEK, NONE, RESERVED;

    static SigningKey of(int bits) {
        return switch (bits) {
            case 0 -> VCEK;
            case 1 -> VLEK;
            case 7 -> NONE;
            default -> RESERVED;
        };
    }

    int bits() {
        return switch (this) {
            case VCEK -> 0;
            case VLEK -> 1;
            case NONE -> 7;
            case RESERVED -> throw new IllegalStateException("reserved signing key has no encoding");
        };
    }
}
