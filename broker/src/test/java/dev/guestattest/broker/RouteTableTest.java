// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.verify.Appraiser;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route table's edges: a known path with another method, the admin family's door, and the session cookie's lifetime. */
class RouteTableTest {
    @TempDir
    Path tmp;
    BrokerFixture f;

    @BeforeEach
    void start() {
        f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, "store", c -> c.withSessionLifetime(Duration.ofSeconds(90)), Appraiser.discover());
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void theSessionCookieLivesAsLongAsTheSession() throws Exception {
        HttpResponse<String> r = BrokerFixture.HTTP.send(HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/auth"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"tee\": \"tdx\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("set-cookie").orElseThrow()).startsWith("kbs-session-id=").containsIgnoringCase("Max-Age=90")
                .containsIgnoringCase("HttpOnly").contains("Path=/kbs");
    }

    @Test
    void anotherMethodOnAKnownPathIsRefusedAsItsFamilyIs() {
        // a guest path: not an endpoint, unaudited
        assertThat(f.call("GET", "/kbs/v0/auth", null, Optional.empty(), Optional.empty()).status()).isEqualTo(404);
        // admin paths: through the admin door first (no token: 401), then refused as an admin call
        assertThat(f.call("PUT", "/kbs/v0/attestation-policy", "{}", Optional.empty(), Optional.empty()).status()).isEqualTo(401);
        var notAdmin = f.admin("PUT", "/kbs/v0/attestation-policy", "{}");
        assertThat(notAdmin.status()).isEqualTo(404);
        assertThat(notAdmin.json().get("detail").asText()).isEqualTo("PUT /kbs/v0/attestation-policy is not an admin endpoint");
        assertThat(f.call("PATCH", "/kbs/v0/resource/a/b/c", "x", Optional.of(BrokerFixture.ADMIN), Optional.empty()).status()).isEqualTo(405);
        assertThat(f.broker.audit(10)).filteredOn(e -> e.event().equals("admin")).extracting(e -> e.outcome())
                .contains("refused-401", "refused-404", "refused-405");
        String metrics = f.call("GET", "/metrics", null, Optional.empty(), Optional.empty()).body();
        assertThat(metrics).contains("guestattest_broker_http_requests_total{endpoint=\"auth\",status=\"404\"} 1.0")
                .contains("guestattest_broker_http_requests_total{endpoint=\"admin\",status=\"405\"} 1.0");
    }
}
