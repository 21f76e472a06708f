// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;

/** Intel's TCB statuses (PCS TCB Info v3 and QE Identity v2), plus NotSupported when no level matches. */
public enum TcbStatus {
    UP_TO_DATE("UpToDate"),
    SW_HARDENING_NEEDED("SWHardeningNeeded"),
    CONFIGURATION_NEEDED("ConfigurationNeeded"),
    CONFIGURATION_AND_SW_HARDENING_NEEDED("ConfigurationAndSWHardeningNeeded"),
    OUT_OF_DATE("OutOfDate"),
    OUT_OF_DATE_CONFIGURATION_NEEDED("OutOfDateConfigurationNeeded"),
    TD_RELAUNCH_ADVISED("TDRelaunchAdvised"),
    TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED("TDRelaunchAdvisedConfigurationNeeded"),
    REVOKED("Revoked"),
    TCB_NOT_SUPPORTED("TcbNotSupported");

    private final String intelName;

    TcbStatus(String intelName) {
        this.intelName = intelName;
    }

    public String intelName() {
        return intelName;
    }

    public static TcbStatus parse(String field, String text) {
        for (TcbStatus s : values()) {
            if (s.intelName.equals(text)) {
                return s;
            }
        }
        throw AttestationException.invalid(field, "unknown TCB status '" + text + "'");
    }

    boolean needsConfiguration() {
        return this == CONFIGURATION_NEEDED || this == CONFIGURATION_AND_SW_HARDENING_NEEDED
                || this == OUT_OF_DATE_CONFIGURATION_NEEDED || this == TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED;
    }

    /**
     * Folds the status of a part that is judged on its own (the TDX module, the QE) into this one,
     * as Intel's QVL does: an out-of-date part makes the whole out of date, a revoked part revokes it.
     */
    TcbStatus foldIn(TcbStatus part) {
        if (part == REVOKED || this == REVOKED) {
            return REVOKED;
        }
        if (part == TCB_NOT_SUPPORTED || this == TCB_NOT_SUPPORTED) {
            return TCB_NOT_SUPPORTED;
        }
        if (part == OUT_OF_DATE || part == OUT_OF_DATE_CONFIGURATION_NEEDED) {
            return switch (this) {
                case UP_TO_DATE, SW_HARDENING_NEEDED -> OUT_OF_DATE;
                case CONFIGURATION_NEEDED, CONFIGURATION_AND_SW_HARDENING_NEEDED -> OUT_OF_DATE_CONFIGURATION_NEEDED;
                default -> this;
            };
        }
        return this;
    }

    @Override
    public String toString() {
        return intelName;
    }
}
