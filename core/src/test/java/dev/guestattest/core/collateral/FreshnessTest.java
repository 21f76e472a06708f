// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.collateral.Freshness.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one freshness rule, at its edges: the instants either side of issue, next update and the end of the grace period. */
class FreshnessTest {
    private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NEXT = Instant.parse("2026-02-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofDays(3);

    private static Freshness at(Instant now, Duration grace) {
        return Freshness.of("tcb_info", "issueDate", ISSUED, Optional.of(NEXT), now, grace);
    }

    @Test
    void freshFromItsIssueUntilItsNextUpdateInclusive() {
        assertThat(at(ISSUED, Duration.ZERO)).isEqualTo(new Freshness(Verdict.FRESH, ""));
        assertThat(at(NEXT, Duration.ZERO).verdict()).isEqualTo(Verdict.FRESH);
    }

    @Test
    void beforeItsIssueItIsStaleWhateverTheGrace() {
        Freshness f = at(ISSUED.minusSeconds(1), GRACE);
        assertThat(f.usable()).isFalse();
        assertThat(f.detail()).isEqualTo("tcb_info is not valid before its issueDate 2026-01-01T00:00:00Z");
    }

    @Test
    void pastItsNextUpdateOnlyTheGracePeriodKeepsItAndSaysSo() {
        assertThat(at(NEXT.plusSeconds(1), Duration.ZERO)).isEqualTo(new Freshness(Verdict.STALE,
                "tcb_info is stale: its nextUpdate 2026-02-01T00:00:00Z has passed"));
        assertThat(at(NEXT.plusSeconds(1), GRACE)).isEqualTo(new Freshness(Verdict.WITHIN_GRACE,
                "tcb_info is stale: its nextUpdate 2026-02-01T00:00:00Z has passed (used within the configured grace period)"));
        assertThat(at(NEXT.plus(GRACE), GRACE).verdict()).isEqualTo(Verdict.WITHIN_GRACE);
        Freshness beyond = at(NEXT.plus(GRACE).plusSeconds(1), GRACE);
        assertThat(beyond.usable()).isFalse();
        assertThat(beyond.detail()).endsWith("has passed, and the grace period of PT72H too");
    }

    @Test
    void withoutANextUpdateFreshnessCannotBeJudgedSoItIsStale() {
        Freshness f = Freshness.of("pck_crl", "thisUpdate", ISSUED, Optional.empty(), ISSUED.plusSeconds(60), GRACE);
        assertThat(f.verdict()).isEqualTo(Verdict.STALE);
        assertThat(f.detail()).isEqualTo("pck_crl has no nextUpdate, so its freshness cannot be judged");
    }

    @Test
    void aNegativeGraceIsAProgrammingError() {
        assertThatThrownBy(() -> at(NEXT, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace");
    }
}
