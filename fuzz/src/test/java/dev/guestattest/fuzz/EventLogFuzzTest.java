// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.core.eventlog.CcelTable;
import dev.guestattest.core.eventlog.CelJson;
import dev.guestattest.core.eventlog.CelTlv;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.Tcg2Log;

/** The four event-log formats a guest sends: CEL-TLV, CEL-JSON, TCG2 (PCR and CC-MR indices), and the CCEL ACPI table. */
class EventLogFuzzTest {
    @FuzzTest(maxDuration = Campaign.DURATION)
    void celTlv(byte[] data) {
        Untrusted.parse(() -> CelTlv.parse(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void celJson(byte[] data) {
        Untrusted.parse(() -> CelJson.read(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void tcg2(byte[] data) {
        for (Event.IndexKind kind : Event.IndexKind.values()) {
            Untrusted.parse(() -> Tcg2Log.parse(data, kind));
        }
        Untrusted.parse(() -> CcelTable.parse(data));
    }
}
