// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.http.HttpStatuses;
import dev.guestattest.broker.store.Audit;
import dev.guestattest.verify.Appraiser;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unauthenticated and the admin doors, flooded: a burst of {@code /appraise} calls (the review's
 * client made 120 a second, each a 90-day audit row), and a loop guessing the admin token. Each must
 * meet 429 past its limit, and leave a bounded number of audit rows behind.
 */
class AbuseTest {
    private static final String OTHER_CLIENT = "127.0.0.2";
    @TempDir
    Path tmp;
    BrokerFixture f;

    private void start(UnaryOperator<BrokerConfig> tweak) {
        f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, "store", tweak, Appraiser.discover());
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private List<Audit.Entry> audit(String event) {
        return f.broker.audit(10_000).stream().filter(e -> e.event().equals(event)).toList();
    }

    @Test
    void aBurstOfAppraisalsMeets429AndLeavesABoundedAudit() {
        start(c -> c.withAppraiseRate(5)); // 5 a second, a burst of 10
        String request = "{\"format\": \"tdx\", \"evidence\": \"" + Base64.getEncoder().encodeToString(new byte[64]) + "\"}";
        long t0 = System.nanoTime();
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 120; i++) {
            int status = f.call("POST", "/appraise", request, Optional.empty(), Optional.empty()).status();
            assertThat(status).isIn(200, 429);
            ok += status == 200 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long allowed = 10 + (long) Math.ceil(5 * seconds);
        System.out.printf("120 appraisals in %.1f s: %d appraised, %d refused 429; %d appraise audit rows%n", seconds, ok, limited,
                audit("appraise").size());
        assertThat(ok).isLessThanOrEqualTo((int) allowed);
        assertThat(limited).isGreaterThanOrEqualTo(120 - (int) allowed);
        List<Audit.Entry> rows = audit("appraise");
        assertThat(rows).as("one row per appraisal the limit let through, one for the 429s").hasSize(ok + 1);
        assertThat(rows).filteredOn(e -> e.outcome().equals("refused-429")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("appraisals per second from this client"));
        assertThat(f.call("GET", "/metrics", null, Optional.empty(), Optional.empty()).body())
                .contains("guestattest_broker_unaudited_refusals_total{endpoint=\"appraise\"} " + (limited - 1) + ".0");
        // another client is not held to this one's limit
        assertThat(f.raw(OTHER_CLIENT, "POST", "/appraise", Optional.empty(), request).status()).isEqualTo(200);
    }

    @Test
    void aTokenGuessingLoopIsAuditedThenShutOut() {
        start(c -> c.withAdminFailureRate(5)); // 5 refused calls, then one more every 12 s
        SecureRandom random = new SecureRandom();
        int refused = 0;
        int limited = 0;
        for (int i = 0; i < 40; i++) {
            String guess = Base64.getUrlEncoder().withoutPadding().encodeToString(random.generateSeed(16));
            var a = i % 3 == 0 ? f.call("GET", "/kbs/v0/audit", null, Optional.of(guess), Optional.empty())
                    : i % 3 == 1 ? f.call("POST", "/kbs/v0/resource/app/key/stolen", "mine", Optional.of(guess), Optional.empty())
                    : f.call("POST", "/kbs/v0/attestation-policy", "{}", Optional.empty(), Optional.empty());
            assertThat(a.status()).isIn(401, 429);
            refused += a.status() == 401 ? 1 : 0;
            limited += a.status() == 429 ? 1 : 0;
        }
        assertThat(refused).as("the budget's burst").isEqualTo(5);
        assertThat(limited).isEqualTo(35);
        // shut out whatever it sends now, the right token too: the limit is on the client, not the guess
        var right = f.admin("GET", "/kbs/v0/audit", null);
        assertThat(right.status()).isEqualTo(429);
        assertThat(right.json().get("detail").asText()).contains("refused admin calls per minute from this client");
        // while the admin, elsewhere, is served
        assertThat(f.raw(OTHER_CLIENT, "GET", "/kbs/v0/audit?limit=5", Optional.of(BrokerFixture.ADMIN), "").status()).isEqualTo(200);

        List<Audit.Entry> admin = audit("admin").stream().filter(e -> e.outcome().startsWith("refused")).toList();
        assertThat(admin).filteredOn(e -> e.outcome().equals("refused-401")).hasSize(5)
                .allSatisfy(e -> assertThat(e.detail()).contains("admin endpoint"));
        assertThat(admin).filteredOn(e -> e.outcome().equals("refused-429")).as("the 36 429s: one row").hasSize(1);
        assertThat(f.broker.resourcePaths()).doesNotContain("app/key/stolen");
    }

    @Test
    void everyRefusedAdminCallIsAuditedWhateverWasWrong() {
        start(c -> c);
        var typo = f.admin("POST", "/kbs/v0/attestation-policy", "id: p\ntees: [tdx]\nalow_debug: true\n");
        assertThat(typo.status()).isEqualTo(400);
        var badPath = f.admin("POST", "/kbs/v0/resource/a/b", "x");
        assertThat(badPath.status()).isEqualTo(400);
        var tooLarge = f.admin("POST", "/kbs/v0/resource/a/b/c", "x".repeat((1 << 20) + 1));
        assertThat(tooLarge.status()).isEqualTo(413);
        var method = f.call("PATCH", "/kbs/v0/resource/a/b/c", "x", Optional.of(BrokerFixture.ADMIN), Optional.empty());
        assertThat(method.status()).isEqualTo(405);
        var notJson = f.admin("POST", "/kbs/v0/reference-value", "{\"reference_values\": [");
        assertThat(notJson.status()).isEqualTo(400);
        var noToken = f.call("DELETE", "/kbs/v0/resource/a/b/c", null, Optional.empty(), Optional.empty());
        assertThat(noToken.status()).isEqualTo(401);
        List<Audit.Entry> refused = audit("admin").stream().filter(e -> e.outcome().startsWith("refused")).toList();
        assertThat(refused).extracting(Audit.Entry::outcome)
                .containsExactlyInAnyOrder("refused-400", "refused-400", "refused-413", "refused-405", "refused-400", "refused-401");
        assertThat(refused).anySatisfy(e -> assertThat(e.detail()).contains("line 3").contains("alow_debug"));
        assertThat(refused).allSatisfy(e -> assertThat(e.client()).isEqualTo("127.0.0.1"));
    }

    /** The attack: one host holds a whole IPv6 /64 and sends each auth request from another address in it. */
    @Test
    void rotatingThroughOneIpv6Slash64DoesNotEscapeTheAuthLimit() {
        start(c -> c.withAuthRate(2));
        byte[] body = "{\"version\": \"0.4.0\", \"tee\": \"tdx\", \"extra-params\": \"\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int limited = 0;
        for (int i = 1; i <= 20; i++) {
            try {
                f.broker.auth(body, "2001:db8:1:2::" + Integer.toHexString(i));
            } catch (BrokerException e) {
                assertThat(HttpStatuses.of(e.refusal())).isEqualTo(429);
                limited++;
            }
        }
        assertThat(limited).as("20 addresses of one /64 share one budget").isGreaterThanOrEqualTo(15);
        // another /64 is another client
        f.broker.auth(body, "2001:db8:1:3::1");
        assertThat(ClientAddress.group("2001:db8:1:2::ffff")).isEqualTo(ClientAddress.group("[2001:db8:1:2:abcd::1]"));
        assertThat(ClientAddress.group("192.0.2.7")).isEqualTo("192.0.2.7");
    }
}
