// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Providers;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.policy.Policy;
import java.security.cert.X509Certificate;
import java.time.Instant;
import dev.guestattest.keys.Secret;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.Appraiser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docs' Java snippets are these examples' code, and the examples run. */
class ExamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void everyJavaSnippetOfTheDocsIsExampleCode() throws IOException {
        String examples;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            examples = String.join("\n", files.filter(p -> p.toString().endsWith(".java")).map(ExamplesTest::read).toList());
        }
        String code = trimmed(examples);
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
            pages.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
        }
        int snippets = 0;
        for (Path doc : docs) {
            Matcher m = BLOCK.matcher(read(doc));
            while (m.find()) {
                assertThat(code).as("a Java snippet of %s is not in the examples module:%n%s", ROOT.relativize(doc), m.group(1))
                        .contains(trimmed(m.group(1)));
                snippets++;
            }
        }
        assertThat(snippets).as("snippets found").isGreaterThanOrEqualTo(4);
    }

    @Test
    void theExamplesRunOnTheEmulator() throws Exception {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(tmp.resolve("state"));
        assertThat(Providers.discover().byName("tdx/emulated")).isNotNull();
        byte[] nonce = new byte[64];
        nonce[0] = 7;
        // the evidence example uses the default context: the state directory comes from GUEST_ATTEST_STATE_DIR (set by the build)
        String mrtd = EvidenceExample.quote(nonce).body().mrTd().hex();
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            Quote q = Quote.parse(tdx.report(dev.guestattest.core.ReportRequest.of(nonce)).outblob().toArray());
            Appraisal a = VerifyExample.verify(q.toBytes(), EmulatedCollateral.issue(tdx.platform(), ctx.clock().instant(), Duration.ofDays(1),
                    false, ctx.random()), tdx.platform().rootCertificate(), Bytes.of(nonce));
            assertThat(a.failures()).as(a.checks().toString()).isEmpty();
        }
        SecretKey evidence = KeyStoreExample.evidence(ctx, java.util.Base64.getEncoder().encodeToString(nonce));
        assertThat(Quote.parse(evidence.getEncoded()).body().reportData().toArray()).startsWith(nonce[0]);

        // the emulated PCS and KDS: collateral is the relying party's to fetch, as from Intel's and AMD's
        EmulatedServer pcs = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ctx, Duration.ofDays(1)),
                EmulatedServer.Faults.none(), line -> { });
        Origins origins = Origins.none().with(Origins.PCS, pcs.uri());
        Database db = Database.open(tmp.resolve("store").toString());
        try {
            X509Certificate root;
            byte[] quote;
            try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
                root = tdx.platform().rootCertificate();
                quote = tdx.report(dev.guestattest.core.ReportRequest.of(nonce)).outblob().toArray();
            }
            Appraisal fetched = CollateralExample.appraise(quote, origins, tmp.resolve("cache"), AppraisalContext.of(
                    Policy.forVerification("tdx").build(), Instant.now()).withRoots(List.of(root)).withReportData(Bytes.of(nonce)));
            assertThat(fetched.failures()).as(fetched.checks().toString()).isEmpty();
            assertThat(pcs.requests("/tdx/certification/v4/tcb")).isEqualTo(1);
            BrokerConfig config = BrokerConfig.DEFAULT.withRoots("tdx", List.of(root));
            Broker broker = new Broker(db, Kek.loadOrCreate(tmp.resolve("kek")), config, Appraiser.discover().withCollateral(
                    CollateralService.builder().origins(origins).build()), Clock.systemUTC());
            String guestMrtd;
            try (TdxEmulatedProvider guest = TdxEmulatedProvider.open(ctx)) {
                guestMrtd = Quote.parse(guest.report(dev.guestattest.core.ReportRequest.of(new byte[64])).outblob().toArray()).body().mrTd().hex();
            }
            assertThat(mrtd).as("the emulated TD's MRTD does not depend on the state directory").isEqualTo(guestMrtd);
            broker.setAttestationPolicy(("{\"id\": \"e\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\""
                    + guestMrtd + "\"]}}").getBytes(StandardCharsets.UTF_8), "test");
            broker.putResource("prod/disk/root", "disk key".getBytes(StandardCharsets.UTF_8), "test");
            BrokerServer server = BrokerServer.start(broker, "127.0.0.1", 0, "admin-token-for-this-test".getBytes(StandardCharsets.UTF_8),
                    Optional.empty());
            try (TdxEmulatedProvider guest = TdxEmulatedProvider.open(ctx)) {
                Tsm tsm = new Tsm();
                tsm.register(guest);
                Secret s = BrokerClientExample.fetch(server.uri(), tsm);
                String got = s.apply(b -> new String(b, StandardCharsets.UTF_8));
                assertThat(got).isEqualTo("disk key");
            } finally {
                server.close();
            }
        } finally {
            db.close();
            pcs.close();
        }
    }

    private static String trimmed(String code) {
        return String.join("\n", code.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
