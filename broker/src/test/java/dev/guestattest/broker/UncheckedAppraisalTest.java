// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.freshness.RuntimeData;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Evidence that makes the appraisal throw what no check anticipated (the review's crafted CCA key,
 * SNP extension and CoVE extension threw IllegalArgument, ClassCast, ArrayIndexOutOfBounds,
 * NullPointer, Arithmetic exceptions). The appraiser now fences {@code verify} itself, so the TDX
 * verifier here throws where the fence does not reach: from the appraisal's verifier lookup (armed
 * for one attempt), from {@code verify} when it is an Error (deep recursion on nested encodings), and
 * from format detection on crafted bytes (which {@code /appraise} runs on guest bytes). The attack
 * must end in a 400, an audit row and a spent nonce, never a 500 with a stack trace and a session
 * that can be attested again.
 */
class UncheckedAppraisalTest {
    /** Stands for the guest's bytes a verifier's message may quote: it must reach neither the caller's refusal nor the log. */
    private static final String QUOTED = "ab".repeat(32);
    @TempDir
    Path tmp;
    BrokerFixture f;
    final List<LogRecord> logged = new ArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    volatile Supplier<Throwable> provoked;
    /** Set for one attempt: the appraisal's next lookup of this verifier throws {@link #provoked}. */
    final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();

    /** The real TDX verifier, but throwing {@link #provoked} when armed and on crafted "BOOM" evidence. */
    private final class Brittle implements EvidenceVerifier {
        private final EvidenceVerifier real;

        Brittle(EvidenceVerifier real) {
            this.real = real;
        }

        @Override
        public String format() {
            if (armed.getAndSet(false)) {
                throw provoked();
            }
            return real.format();
        }

        @Override
        public boolean recognizes(byte[] evidence) {
            if (crafted(evidence)) {
                throw provoked();
            }
            return real.recognizes(evidence);
        }

        @Override
        public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
            if (crafted(evidence.bytes().toArray()) && provoked.get() instanceof Error e) {
                throw e; // an Error passes the appraiser's fence around verify
            }
            return real.verify(evidence, at, roots);
        }

        private static boolean crafted(byte[] evidence) {
            return new String(evidence, StandardCharsets.ISO_8859_1).startsWith("BOOM");
        }

        private RuntimeException provoked() {
            Throwable t = provoked.get();
            if (t instanceof Error e) {
                throw e;
            }
            return (RuntimeException) t;
        }
    }

    @BeforeEach
    void start() {
        List<EvidenceVerifier> verifiers = new ArrayList<>();
        // the verifiers as the TEE SPI registers them (dev.guestattest.core.tee.Tee), the TDX one made brittle
        Tees.discover().all().stream().map(Tee::verifier).forEach(v -> verifiers.add(v.format().equals("tdx") ? new Brittle(v) : v));
        f = new BrokerFixture(BrokerFixture.sharedTees(), tmp, "store", c -> c, new Appraiser(verifiers));
        assertThat(f.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stop() {
        Logger.getLogger("").removeHandler(capture);
        f.close();
    }

    private static Throwable provoke(String type) {
        return switch (type) {
            case "IllegalArgumentException" -> new IllegalArgumentException("coordinate of 49 bytes: " + QUOTED);
            case "ClassCastException" -> new ClassCastException("class org.bouncycastle.asn1.DEROctetString cannot be cast to class "
                    + "org.bouncycastle.asn1.ASN1Sequence");
            case "ArrayIndexOutOfBoundsException" -> new ArrayIndexOutOfBoundsException("Index 0 out of bounds for length 0");
            case "NullPointerException" -> new NullPointerException();
            case "ArithmeticException" -> new ArithmeticException("/ by zero");
            case "StackOverflowError" -> new StackOverflowError();
            default -> throw new AssertionError(type);
        };
    }

    private record Opened(String cookie, String nonce) {
    }

    private Opened open() throws Exception {
        HttpResponse<String> r = BrokerFixture.HTTP.send(HttpRequest.newBuilder(f.uri.resolve("/kbs/v0/auth"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"tee\": \"tdx\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new Opened(r.headers().firstValue("set-cookie").orElseThrow().split(";")[0], BrokerFixture.JSON.readTree(r.body()).get("nonce").asText());
    }

    private static String attestBody(String nonce, JsonNode jwk, Evidence ev) {
        ObjectNode b = BrokerFixture.JSON.createObjectNode();
        b.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", jwk);
        ObjectNode p = b.putObject("tee-evidence").putObject("primary_evidence");
        p.put("evidence", Base64.getEncoder().encodeToString(ev.bytes().toArray()));
        ev.aux().forEach((k, v) -> p.with("aux").put(k, Base64.getEncoder().encodeToString(v.toArray())));
        return b.toString();
    }

    private Evidence honest(String nonce, JsonNode jwk) throws Exception {
        // this broker's appraiser fetches nothing: the guest brings the collateral, as this project's own dialect may
        Evidence e = f.attester("tdx/emulated").evidence(RuntimeData.legacyReportData(nonce, jwk, RuntimeData.Hash.SHA384));
        return new Evidence(e.format(), e.bytes(), java.util.Map.of("collateral", f.collateral));
    }

    private static Evidence crafted() {
        return new Evidence(Optional.empty(), Bytes.of(("BOOM" + QUOTED).getBytes(StandardCharsets.US_ASCII)), java.util.Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"IllegalArgumentException", "ClassCastException", "ArrayIndexOutOfBoundsException", "NullPointerException",
            "ArithmeticException", "StackOverflowError"})
    void evidenceThatMakesAVerifierThrowIsRefusedAuditedAndSpendsTheNonce(String type) throws Exception {
        provoked = () -> provoke(type);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        JsonNode jwk = RcarFlowTest.jwk(g.generateKeyPair());

        // the attack: a live session, the right nonce, evidence crafted to make the appraisal throw
        Opened s = open();
        armed.set(!type.endsWith("Error"));
        var attack = f.call("POST", "/kbs/v0/attest", attestBody(s.nonce(), jwk, crafted()), Optional.empty(), Optional.of(s.cookie()));
        assertThat(attack.status()).as(attack.body()).isEqualTo(400);
        assertThat(attack.json().get("type").asText()).endsWith("/bad-request");
        assertThat(attack.json().get("detail").asText()).startsWith("evidence could not be processed: " + type).doesNotContain(QUOTED);
        String session = s.cookie().substring(s.cookie().indexOf('=') + 1);
        assertThat(f.broker.audit(50)).as("the attempt is audited against its session")
                .anySatisfy(e -> {
                    assertThat(e.event()).isEqualTo("attest");
                    assertThat(e.session()).hasValue(session);
                    assertThat(e.outcome()).isEqualTo("refused-400");
                    assertThat(e.detail()).startsWith("evidence could not be processed: " + type).doesNotContain(QUOTED);
                });

        // the second attempt on that session carries honest evidence for its nonce: refused, the nonce is spent
        var again = f.call("POST", "/kbs/v0/attest", attestBody(s.nonce(), jwk, honest(s.nonce(), jwk)), Optional.empty(),
                Optional.of(s.cookie()));
        assertThat(again.status()).as(again.body()).isEqualTo(401);
        assertThat(again.json().get("detail").asText()).contains("nonce was already used");
        // and the same honest attempt on a fresh session passes: only the spent nonce stopped it
        Opened fresh = open();
        var honestAttempt = f.call("POST", "/kbs/v0/attest", attestBody(fresh.nonce(), jwk, honest(fresh.nonce(), jwk)), Optional.empty(),
                Optional.of(fresh.cookie()));
        assertThat(honestAttempt.status()).as(honestAttempt.body()).isEqualTo(200);

        assertThat(armed).as("the attack reached the appraisal").isFalse();

        // /appraise takes the same bytes, and no format: the verifiers' format detection throws. 400, audited
        ObjectNode appraise = BrokerFixture.JSON.createObjectNode()
                .put("evidence", Base64.getEncoder().encodeToString(crafted().bytes().toArray()));
        var appraised = f.call("POST", "/appraise", appraise.toString(), Optional.empty(), Optional.empty());
        assertThat(appraised.status()).as(appraised.body()).isEqualTo(400);
        assertThat(appraised.json().get("detail").asText()).startsWith("evidence could not be processed: " + type);
        assertThat(f.broker.audit(50)).anySatisfy(e -> {
            assertThat(e.event()).isEqualTo("appraise");
            assertThat(e.outcome()).isEqualTo("refused-400");
        });

        synchronized (logged) {
            assertThat(logged).as("nothing at INFO or above carries a stack trace or the guest's bytes")
                    .filteredOn(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                    .allSatisfy(r -> {
                        assertThat(r.getThrown()).isNull();
                        assertThat(String.valueOf(r.getMessage())).doesNotContain(QUOTED);
                    });
        }
    }
}
