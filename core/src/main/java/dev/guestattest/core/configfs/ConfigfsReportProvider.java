// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import dev.guestattest.core.InputRules;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import java.util.Objects;

/** A real provider backed by the kernel's configfs-tsm; vendors supply the name and input rules. */
public final class ConfigfsReportProvider implements ReportProvider {
    private final String name;
    private final InputRules rules;
    private final int privlevelFloor;
    private final ConfigfsReports reports;

    public ConfigfsReportProvider(String name, InputRules rules, int privlevelFloor, ConfigfsReports reports) {
        this.name = Objects.requireNonNull(name, "name");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.privlevelFloor = privlevelFloor;
        this.reports = Objects.requireNonNull(reports, "reports");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean emulated() {
        return false;
    }

    @Override
    public int privlevelFloor() {
        return privlevelFloor;
    }

    @Override
    public InputRules inputRules() {
        return rules;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        return reports.generate(request);
    }
}
