// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

/**
 * The names of the checks the appraiser makes. Only the appraiser emits {@code policy.*}: a vendor
 * verifier that does is refused (two verdicts on one rule could disagree, and a reader would take
 * the first); a TEE's own rules are named {@code policy.<rule>} by the appraiser too.
 */
public final class PolicyChecks {
    public static final String PREFIX = "policy.";
    public static final String FORMAT = "evidence.format";
    public static final String TEE = "policy.tee";
    public static final String NONCE = "policy.nonce";
    public static final String FRESHNESS = "policy.freshness";
    public static final String REPORT_DATA = "policy.report_data";
    /** The evidence carries the digest of the init-data the guest sent. */
    public static final String INIT_DATA = "policy.init_data";
    /** Followed by {@code .<claim path>}: a value the policy requires in the init-data. */
    public static final String INIT_DATA_CLAIMS = "policy.init_data_claims";
    public static final String TCB_STATUS = "policy.tcb_status";
    /** Followed by {@code .<component>}. */
    public static final String MINIMUM_TCB = "policy.minimum_tcb";
    public static final String DEBUG = "policy.debug";
    public static final String VMPL = "policy.vmpl";
    public static final String REFERENCE_VALUES = "policy.reference_values";
    public static final String INITIAL_MEASUREMENT = "policy.initial_measurement";
    /** Followed by {@code .<register>}. */
    public static final String RUNTIME_REGISTERS = "policy.runtime_registers";
    public static final String EVENT_LOG = "policy.event_log";
    public static final String EVENT_LOG_EVENTS = "policy.event_log.events";

    private PolicyChecks() {
    }
}
