// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

/**
 * The provider SPI: one backend that turns a request into evidence, the Java form of the kernel's
 * {@code tsm_report_ops}. The core validates requests against {@link #inputRules()} and
 * {@link #privlevelFloor()} before calling {@link #report}, and owns locking and generations.
 * Implementations must be thread-safe and must bound every wait they make.
 */
public interface ReportProvider {
    /** The provider name, {@code <tee>/<backend>}, e.g. {@code tdx/emulated}. */
    String name();

    /** True for software emulations: they are only ever used when asked for by name. */
    boolean emulated();

    /** The lowest privilege level this provider accepts. */
    /** The provider's measurement registers (tsm-mr), when it has any. */
    default java.util.Optional<dev.guestattest.core.mr.MeasurementRegisters> measurementRegisters() {
        return java.util.Optional.empty();
    }

    default int privlevelFloor() {
        return 0;
    }

    InputRules inputRules();

    /** Generates evidence for an already validated request. */
    ReportBlobs report(ReportRequest request);
}
