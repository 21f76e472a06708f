// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit read back: the newest since a time, in the order made, with the failed checks kept; an older store gains their column. */
class AuditTest {
    @TempDir
    Path tmp;

    private static Audit.Entry entry(long at, String event, String outcome, List<String> checks) {
        return new Audit.Entry(at, event, outcome, Optional.empty(), Optional.empty(), Optional.empty(), "127.0.0.1", "", checks);
    }

    @Test
    void aReadIsTheNewestSinceATimeInTheOrderMadeAndKeepsTheChecks() {
        try (Database db = Database.open(tmp.resolve("store").toString())) {
            Audit audit = new Audit(db);
            for (long at = 1; at <= 5; at++) {
                audit.record(entry(at * 1000, "resource", "refused-403", List.of("policy.tcb_status", "resource_policy.rules[" + at + "].status")));
            }
            // not a check's name: left out of the stored list, never an injection into it
            audit.record(entry(6000, "resource", "refused-403", List.of("a,b", "quote.signature", "x y")));
            List<Audit.Entry> read = audit.read(new Audit.Query(Optional.of(Instant.ofEpochMilli(2000)), Optional.empty(), 3));
            assertThat(read).extracting(Audit.Entry::at).containsExactly(4000L, 5000L, 6000L);
            assertThat(read.get(0).checks()).containsExactly("policy.tcb_status", "resource_policy.rules[4].status");
            assertThat(read.get(2).checks()).containsExactly("quote.signature");
            assertThat(read.get(0).toJson().toString()).isEqualTo("{\"time\":\"1970-01-01T00:00:04Z\",\"event\":\"resource\",\"outcome\":\"refused\","
                    + "\"audit_outcome\":\"refused-403\",\"client\":\"127.0.0.1\","
                    + "\"checks\":[\"policy.tcb_status\",\"resource_policy.rules[4].status\"],"
                    + "\"detail\":\"\"}");
        }
        assertThatThrownBy(() -> new Audit.Query(Optional.empty(), Optional.empty(), 10_001)).hasMessageContaining("limit");
        assertThatThrownBy(() -> Audit.Decision.parse("maybe")).hasMessageContaining("challenged").hasMessageContaining("refused");
    }

    /** A store made before the audit kept failed checks: opening it adds the column; its rows read with none. */
    @Test
    void anOlderStoreGainsTheChecksColumn() throws Exception {
        try (Database db = Database.open(tmp.resolve("store").toString())) {
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE audit DROP COLUMN checks");
                s.execute("INSERT INTO audit (at, event, outcome, client, detail) VALUES (1, 'attest', 'warning', '127.0.0.1', 'before')");
            }
        }
        try (Database db = Database.open(tmp.resolve("store").toString())) {
            Audit audit = new Audit(db);
            audit.record(entry(2, "attest", "warning", List.of("policy.reference_values")));
            assertThat(audit.recent(10)).extracting(Audit.Entry::checks).containsExactly(List.of("policy.reference_values"), List.of());
        }
    }
}
