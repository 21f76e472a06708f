// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.store.Audit;
import dev.guestattest.broker.store.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An audit read by outcome ({@code broker audit --outcome refused}) selects in SQL what
 * {@link Audit.Decision#of} classifies in Java, on both stores the broker runs on: every event it
 * writes with every outcome it stores, and some it does not.
 */
class AuditDecisionsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void eachDecisionSelectsExactlyTheEntriesItClassifies(String store) throws Exception {
        PostgresServer pg = null;
        if (store.equals("postgresql")) {
            Assumptions.assumeTrue(PostgresServer.binaries() != null, "no PostgreSQL server binaries here");
            pg = PostgresServer.start();
        }
        try (Database db = Database.open(pg != null ? pg.url() : tmp.resolve("store").toString())) {
            Audit audit = new Audit(db);
            List<Audit.Entry> all = new ArrayList<>();
            long at = 1_000;
            for (String e : List.of("auth", "attest", "resource", "appraise", "admin", "test")) {
                for (String o : List.of("ok", "affirming", "warning", "contraindicated", "none", "released", "failed", "refused-401", "refused-403",
                        "refused-429", "resource-set", "resource-deleted", "resource-absent", "attestation-policy-set", "odd")) {
                    Audit.Entry x = new Audit.Entry(at++, e, o, Optional.empty(), Optional.empty(), Optional.empty(), "127.0.0.1", "",
                            List.of("policy.x"));
                    audit.record(x);
                    all.add(x);
                }
            }
            for (Audit.Decision d : Audit.Decision.values()) {
                List<String> selected = audit.read(new Audit.Query(Optional.empty(), Optional.of(d), Audit.MAX_READ)).stream()
                        .map(x -> x.event() + "/" + x.outcome()).toList();
                List<String> classified = all.stream().filter(x -> x.decision() == d).map(x -> x.event() + "/" + x.outcome()).toList();
                assertThat(selected).as(d.label()).isNotEmpty().containsExactlyElementsOf(classified);
            }
            assertThat(all.stream().filter(x -> x.decision() == Audit.Decision.ATTESTED)).extracting(Audit.Entry::outcome)
                    .containsExactly("affirming", "warning");
            assertThat(audit.recent(1)).singleElement().satisfies(x -> assertThat(x.checks()).containsExactly("policy.x"));
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }
}
