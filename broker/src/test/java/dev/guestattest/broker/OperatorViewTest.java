// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of the broker's decisions: a refusal that names the checks that failed (in
 * its body, its log line and its audit row), one JSON log line per decision, the audit read back by
 * time and outcome, the resources listed and the policies read back; and none of it for a caller
 * without the admin credential, nor a secret, a token or the admin token in any of it.
 */
class OperatorViewTest {
    private static final String SECRET = "s3cr3t-bytes-only-a-guest-may-read";
    @TempDir
    Path tmp;
    BrokerFixture f;
    /** Held: java.util.logging keeps its loggers weakly. */
    private Logger decisions;
    private Handler capture;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() {
        decisions = Logger.getLogger(Broker.DECISION_LOG);
        capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        decisions.addHandler(capture);
        // the attacks below are refused more often than the default budget of refused admin calls allows (then 429)
        f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, "store", c -> c.withAdminFailureRate(1000));
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        // the emulators' measurements are not referenced: their results warn, which 'test' allows and 'prod' does not
        assertThat(f.admin("POST", "/kbs/v0/resource-policy", "rules:\n  - {path: \"test/*/*\", status: warning}\n  - {path: \"prod/*/*\"}\n")
                .status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource/prod/db/password", SECRET).status()).isEqualTo(200);
        assertThat(f.admin("POST", "/kbs/v0/resource/test/db/password", SECRET).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        decisions.removeHandler(capture);
        f.close();
    }

    private List<JsonNode> logged() {
        List<JsonNode> out = new ArrayList<>();
        synchronized (lines) {
            for (String l : lines) {
                assertThat(l).as("one line").doesNotContain("\n").doesNotContain("\r");
                try {
                    out.add(BrokerFixture.JSON.readTree(l));
                } catch (java.io.IOException e) {
                    throw new AssertionError("a decision's log line is not JSON: " + l, e);
                }
            }
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aRefusedReleaseNamesTheFailingChecksToTheGuestInTheLogAndInTheAudit() {
        KbsClient client = f.client();
        KbsClient.Session s = client.attest("cove", f.attester("cove/emulated"));
        assertThatThrownBy(() -> client.resource(s, "prod/db/password")).isInstanceOfSatisfying(AttestationException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.REFUSED);
            assertThat(e.getMessage()).contains("refused (403)").contains("policy.reference_values").contains("resource_policy.rules[1].status");
        });
        // the body: Trustee's shape, the names in the detail (what kbs-client prints) and apart (what a program reads)
        var bearer = f.call("GET", "/kbs/v0/resource/prod/db/password", null, Optional.of(s.token()), Optional.empty());
        assertThat(bearer.status()).isEqualTo(403);
        assertThat(bearer.json().get("type").asText()).endsWith("/forbidden");
        assertThat(bearer.json().get("detail").asText()).startsWith("refused by policy.reference_values, resource_policy.rules[1].status: ")
                .contains("does not let a warning cove result read prod/db/password").contains("rules[1] (prod/*/*)");
        assertThat(texts(bearer.json().get("checks"))).containsExactly("policy.reference_values", "resource_policy.rules[1].status");
        // what the rules let a warning read is still released
        String released = client.resource(s, "test/db/password").apply(b -> new String(b, StandardCharsets.UTF_8));
        assertThat(released).isEqualTo(SECRET);

        List<JsonNode> log = logged();
        assertThat(log).anySatisfy(l -> {
            assertThat(l.get("event").asText()).isEqualTo("attest");
            assertThat(l.get("outcome").asText()).isEqualTo("attested");
            assertThat(l.get("audit_outcome").asText()).isEqualTo("warning");
            assertThat(l.get("tee").asText()).isEqualTo("cove");
            assertThat(l.get("session").asText()).isNotEmpty();
            assertThat(texts(l.get("checks"))).containsExactly("policy.reference_values");
        });
        assertThat(log).filteredOn(l -> l.get("outcome").asText().equals("refused") && l.get("event").asText().equals("resource"))
                .hasSize(2).allSatisfy(l -> {
                    assertThat(l.get("resource").asText()).isEqualTo("prod/db/password");
                    assertThat(l.get("client").asText()).isEqualTo("127.0.0.1");
                    assertThat(l.get("audit_outcome").asText()).isEqualTo("refused-403");
                    assertThat(texts(l.get("checks"))).containsExactly("policy.reference_values", "resource_policy.rules[1].status");
                    assertThat(Instant.parse(l.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
                });
        assertThat(log).filteredOn(l -> l.get("outcome").asText().equals("released")).singleElement()
                .satisfies(l -> assertThat(l.get("resource").asText()).isEqualTo("test/db/password"));
        // by cookie the session is known; by bearer token it is not
        assertThat(log).filteredOn(l -> l.get("outcome").asText().equals("refused") && l.has("resource")).extracting(l -> l.has("session"))
                .containsExactlyInAnyOrder(true, false);

        assertThat(f.broker.audit(100)).filteredOn(e -> e.outcome().equals("refused-403"))
                .allSatisfy(e -> assertThat(e.checks()).containsExactly("policy.reference_values", "resource_policy.rules[1].status"));
        assertNothingSecretIn(String.join("\n", lines) + f.admin("GET", "/kbs/v0/audit?limit=10000", null).body(), s.token());
    }

    @Test
    void aContraindicatedAttestationIsRefusedByItsChecksNames() {
        KbsClient.Attester honest = f.attester("tdx/emulated");
        // the quote's body changed after signing: its signature no longer covers what it says
        KbsClient.Attester tampered = new KbsClient.Attester() {
            @Override
            public Evidence evidence(Bytes reportData) {
                Evidence e = honest.evidence(reportData);
                byte[] q = e.bytes().toArray();
                q[200] ^= 1;
                return new Evidence(e.format(), Bytes.of(q), e.aux());
            }
        };
        assertThatThrownBy(() -> f.client().attest("tdx", tampered)).isInstanceOfSatisfying(AttestationException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.REFUSED);
            assertThat(e.getMessage()).contains("refused (401)").contains("refused by ").contains("quote.signature");
        });
        JsonNode refused = logged().stream().filter(l -> l.get("event").asText().equals("attest")).findFirst().orElseThrow();
        assertThat(refused.get("outcome").asText()).isEqualTo("refused");
        assertThat(texts(refused.get("checks"))).contains("quote.signature");
        assertThat(f.broker.audit(10)).filteredOn(e -> e.event().equals("attest")).singleElement()
                .satisfies(e -> assertThat(e.checks()).contains("quote.signature"));
    }

    @Test
    void anAppraisalIsLoggedWithTheChecksThatFailed() {
        var ev = f.attester("cove/emulated").evidence(Bytes.zeros(64));
        String req = BrokerFixture.JSON.createObjectNode().put("format", "cove")
                .put("evidence", java.util.Base64.getEncoder().encodeToString(ev.bytes().toArray())).toString();
        assertThat(f.call("POST", "/appraise", req, Optional.empty(), Optional.empty()).status()).isEqualTo(200);
        assertThat(logged()).filteredOn(l -> l.get("event").asText().equals("appraise")).singleElement().satisfies(l -> {
            assertThat(l.get("outcome").asText()).isEqualTo("appraised");
            assertThat(l.get("audit_outcome").asText()).isEqualTo("warning");
            assertThat(texts(l.get("checks"))).contains("policy.reference_values");
        });
    }

    @Test
    void theAuditIsReadBackByTimeAndOutcomeNewestLast() throws Exception {
        KbsClient client = f.client();
        KbsClient.Session s = client.attest("cove", f.attester("cove/emulated"));
        Thread.sleep(5);
        Instant between = Instant.now();
        Thread.sleep(5);
        client.resource(s, "test/db/password");
        assertThatThrownBy(() -> client.resource(s, "prod/db/password")).isInstanceOf(AttestationException.class);

        JsonNode all = f.admin("GET", "/kbs/v0/audit?limit=10000", null).json();
        List<Instant> times = new ArrayList<>();
        all.forEach(e -> times.add(Instant.parse(e.get("time").asText())));
        assertThat(times).as("newest last").isSorted();
        JsonNode refused = f.admin("GET", "/kbs/v0/audit?outcome=refused", null).json();
        assertThat(refused).singleElement().satisfies(e -> {
            assertThat(e.get("resource").asText()).isEqualTo("prod/db/password");
            assertThat(texts(e.get("checks"))).contains("resource_policy.rules[1].status");
        });
        JsonNode since = f.admin("GET", "/kbs/v0/audit?since=" + between, null).json();
        assertThat(since).extracting(e -> e.get("outcome").asText()).containsExactly("released", "refused");
        assertThat(f.admin("GET", "/kbs/v0/audit?outcome=attested", null).json()).singleElement()
                .satisfies(e -> assertThat(e.get("audit_outcome").asText()).isEqualTo("warning"));
        assertThat(f.admin("GET", "/kbs/v0/audit?outcome=changed&limit=2", null).json()).extracting(e -> e.get("audit_outcome").asText())
                .as("the newest two, in the order they were made").containsExactly("resource-set", "resource-set");
        // what the read refuses, said
        var bad = f.admin("GET", "/kbs/v0/audit?outcome=maybe", null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).contains("'maybe' is not one of").contains("refused");
        assertThat(f.admin("GET", "/kbs/v0/audit?since=yesterday", null).status()).isEqualTo(400);
        assertThat(f.admin("GET", "/kbs/v0/audit?limit=0", null).status()).isEqualTo(400);
        assertThat(f.admin("GET", "/kbs/v0/audit?limt=5", null).json().get("detail").asText()).contains("unknown parameter 'limt'");
    }

    @Test
    void resourcesAreListedByNameAndPoliciesReadBackAsTheyWereSet() {
        JsonNode list = f.admin("GET", "/kbs/v0/resources", null).json();
        assertThat(texts(list.get("resources"))).containsExactly("prod/db/password", "test/db/password");
        assertThat(list.toString()).doesNotContain(SECRET);
        var policy = f.admin("GET", "/kbs/v0/attestation-policy", null);
        assertThat(policy.status()).isEqualTo(200);
        assertThat(policy.body()).isEqualTo(BrokerFixture.POLICY);
        assertThat(f.admin("GET", "/kbs/v0/resource-policy", null).body())
                .isEqualTo("rules:\n  - {path: \"test/*/*\", status: warning}\n  - {path: \"prod/*/*\"}\n");
        assertThat(f.admin("DELETE", "/kbs/v0/resource/test/db/password", null).status()).isEqualTo(200);
        var absent = f.admin("DELETE", "/kbs/v0/resource/test/db/password", null);
        assertThat(absent.status()).isEqualTo(404);
        assertThat(absent.json().get("detail").asText()).isEqualTo("no resource test/db/password to delete");
        assertThat(texts(f.admin("GET", "/kbs/v0/resources", null).json().get("resources"))).containsExactly("prod/db/password");
    }

    @Test
    void aFreshBrokerSaysWhichPolicyIsNotSet() {
        f.close();
        f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, "fresh");
        var none = f.admin("GET", "/kbs/v0/attestation-policy", null);
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.json().get("detail").asText()).contains("no attestation policy is set");
        assertThat(f.admin("GET", "/kbs/v0/resource-policy", null).json().get("detail").asText()).contains("the default applies");
        assertThat(f.admin("GET", "/kbs/v0/resources", null).json().get("resources")).isEmpty();
    }

    /** Attacks: a guest's token, no credential, a guessed one; each refused, none told anything about the store. */
    @Test
    void noOneWithoutTheAdminCredentialReadsTheAuditTheResourcesOrThePolicies() {
        KbsClient.Session s = f.client().attest("cove", f.attester("cove/emulated"));
        for (String path : List.of("/kbs/v0/audit", "/kbs/v0/audit?outcome=released", "/kbs/v0/resources", "/kbs/v0/attestation-policy",
                "/kbs/v0/resource-policy")) {
            for (Optional<String> who : List.of(Optional.<String>empty(), Optional.of(s.token()), Optional.of("admin-token-for-tests-but-not"))) {
                var r = f.call("GET", path, null, who, Optional.empty());
                assertThat(r.status()).as(path + " as " + who.map(t -> t.length() + " chars").orElse("nobody")).isEqualTo(401);
                assertThat(r.body()).doesNotContain("prod/db/password").doesNotContain("rules").doesNotContain("emulated")
                        .doesNotContain(SECRET);
            }
        }
        // a guest's token for the delete: refused, and the resource is still there
        assertThat(f.call("DELETE", "/kbs/v0/resource/prod/db/password", null, Optional.of(s.token()), Optional.empty()).status()).isEqualTo(401);
        assertThat(f.broker.resourcePaths()).contains("prod/db/password");
        assertThat(f.broker.audit(100)).filteredOn(e -> e.event().equals("admin") && e.outcome().equals("refused-401")).hasSize(16);
        assertNothingSecretIn(String.join("\n", lines), s.token());
    }

    /** Neither the secret's bytes, a guest's token, nor the admin token, anywhere in {@code text}. */
    private static void assertNothingSecretIn(String text, String token) {
        assertThat(text).doesNotContain(SECRET).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1))
                .doesNotContain(BrokerFixture.ADMIN);
    }
}
