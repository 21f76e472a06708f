// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.Refusal;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The refusal → status table, row by row, and the audit log's names for refusals kept in step with it. */
class HttpStatusesTest {
    private static final Map<Refusal, Integer> TABLE = Map.ofEntries(
            Map.entry(Refusal.BAD_REQUEST, 400),
            Map.entry(Refusal.UNKNOWN_TEE, 400),
            Map.entry(Refusal.UNSUPPORTED_VERSION, 400),
            Map.entry(Refusal.UNAUTHORIZED_SESSION, 401),
            Map.entry(Refusal.ATTESTATION_FAILED, 401),
            Map.entry(Refusal.TOKEN_INVALID, 401),
            Map.entry(Refusal.TOKEN_EXPIRED, 401),
            Map.entry(Refusal.ADMIN_UNAUTHORIZED, 401),
            Map.entry(Refusal.NO_POLICY, 403),
            Map.entry(Refusal.POLICY_DENIED, 403),
            Map.entry(Refusal.NOT_FOUND, 404),
            Map.entry(Refusal.METHOD_NOT_ALLOWED, 405),
            Map.entry(Refusal.BODY_TIMEOUT, 408),
            Map.entry(Refusal.TOO_LARGE, 413),
            Map.entry(Refusal.RATE_LIMITED, 429),
            Map.entry(Refusal.UNAVAILABLE, 503));

    @Test
    void theTableNamesEveryRefusal() {
        assertThat(TABLE.keySet()).containsExactlyInAnyOrder(Refusal.values());
    }

    @ParameterizedTest
    @EnumSource(Refusal.class)
    void eachRefusalHasItsStatusAndItsAuditNameAgrees(Refusal r) {
        assertThat(HttpStatuses.of(r)).isEqualTo(TABLE.get(r));
        assertThat(r.auditOutcome()).isEqualTo("refused-" + TABLE.get(r));
    }

    @Test
    void errorBodiesNameTheirKindByStatus() {
        assertThat(Arrays.stream(Refusal.values()).map(r -> HttpStatuses.kind(HttpStatuses.of(r))).distinct())
                .containsExactlyInAnyOrder("bad-request", "unauthorized", "forbidden", "not-found", "method-not-allowed", "request-timeout",
                        "too-large", "too-many-requests", "unavailable");
        assertThat(HttpStatuses.kind(HttpStatuses.INTERNAL)).isEqualTo("internal");
    }
}
