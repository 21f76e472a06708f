// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

/** SEV firmware status codes (SEV_RET_*) as readable reasons. */
public final class FirmwareError {
    private FirmwareError() {
    }

    public static String describe(long code) {
        String name = switch ((int) code) {
            case 0x00 -> "SUCCESS";
            case 0x01 -> "INVALID_PLATFORM_STATE";
            case 0x02 -> "INVALID_GUEST_STATE";
            case 0x03 -> "INVALID_CONFIG";
            case 0x04 -> "INVALID_LEN (buffer too small)";
            case 0x05 -> "ALREADY_OWNED";
            case 0x06 -> "INVALID_CERTIFICATE";
            case 0x07 -> "POLICY_FAILURE";
            case 0x08 -> "INACTIVE";
            case 0x09 -> "INVALID_ADDRESS";
            case 0x0A -> "BAD_SIGNATURE";
            case 0x0B -> "BAD_MEASUREMENT";
            case 0x0D -> "ASID_OWNED";
            case 0x0E -> "INVALID_ASID";
            case 0x11 -> "HWSEV_RET_PLATFORM (hardware error)";
            case 0x12 -> "HWSEV_RET_UNSAFE";
            case 0x13 -> "UNSUPPORTED";
            case 0x16 -> "INVALID_PARAM (e.g. VMPL below the guest's, or reserved fields set)";
            case 0x17 -> "RESOURCE_LIMIT";
            case 0x18 -> "SECURE_DATA_INVALID";
            case 0x1F -> "INVALID_PAGE_STATE";
            case 0x27 -> "INVALID_KEY";
            default -> "unknown";
        };
        return String.format("0x%x %s", code, name);
    }
}
