// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.collateral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.DirectoryStore;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.collateral.Failure;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.EmulatedPcs;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.security.SecureRandom;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence alone, as a real guest sends it: the appraiser gets TDX collateral and SNP VCEKs and CRLs
 * from the emulated PCS and KDS over HTTP, keeps them, and judges their freshness by their own dates.
 */
class CollateralServiceAppraisalTest {
    private static final Duration VALIDITY = Duration.ofHours(1);
    private static final String TCB_PATH = "/tdx/certification/v4/tcb";
    @TempDir
    static Path tees;
    private static ProviderContext ctx;
    private static List<X509Certificate> roots;
    @TempDir
    Path cache;
    private EmulatedServer server;
    private Instant issued;

    @BeforeAll
    static void emulators() {
        ctx = ProviderContext.defaults().withStateDir(tees);
        roots = new ArrayList<>();
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            roots.add(tdx.platform().rootCertificate());
        }
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(ctx).chip();
        roots.addAll(List.of(chip.arkCertificate(), chip.askCertificate(), chip.asvkCertificate()));
    }

    @BeforeEach
    void serve() {
        issued = Instant.now();
        List<EmulatedService> services = Tees.discover().emulatedServices(ctx, VALIDITY);
        server = EmulatedServer.start("127.0.0.1", 0, services, EmulatedServer.Faults.none(), line -> { });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CollateralService service(Instant now, Duration grace) {
        return CollateralService.builder().origins(Origins.none().with(Origins.PCS, server.uri()).with(Origins.KDS, server.uri()))
                .store(new DirectoryStore(cache)).clock(Clock.fixed(now, ZoneOffset.UTC)).timeout(Duration.ofSeconds(5))
                .retries(3, Duration.ofSeconds(5)).grace(grace).build();
    }

    private static Evidence evidence(String provider) {
        try (ProviderSession s = ProviderSession.open(Optional.of(provider), ctx)) {
            Report r = s.report(ReportRequest.of(new byte[64]));
            return Evidence.of(r.outblob(), Map.of()); // no collateral, no certificate table: only what the TEE made
        }
    }

    private static Appraisal appraise(CollateralService service, Evidence e, Instant at) {
        Policy p = Policy.parse("{\"id\": \"p\", \"tees\": [\"tdx\", \"snp\"], \"allow_debug\": true}".getBytes(StandardCharsets.UTF_8));
        return Appraiser.discover().withCollateral(service).appraise(e, AppraisalContext.of(p, at).withRoots(roots));
    }

    private static void assertVerified(Appraisal a, String... passed) {
        assertThat(a.failures()).filteredOn(c -> !c.name().startsWith("policy.")).as("only policy checks may fail").isEmpty();
        for (String name : passed) {
            assertThat(a.check(name)).as(name).hasValueSatisfying(c -> assertThat(c.passed()).as(c.toString()).isTrue());
        }
    }

    @Test
    void aQuoteAndAReportWithNoAuxPartsAtAllAreVerifiedWithFetchedCollateral() {
        CollateralService s = service(issued, Duration.ZERO);
        assertVerified(appraise(s, evidence("tdx/emulated"), issued), "quote.signature", "collateral.tcb_info", "collateral.qe_identity",
                "collateral.pck_crl", "collateral.root_ca_crl", "pck.revocation", "tcb.status", "collateral");
        Appraisal snp = appraise(s, evidence("snp/emulated"), issued);
        assertVerified(snp, "report.signature", "chain", "chain.revocation", "signer.chip", "signer.tcb", "collateral.vcek", "collateral.crl");
        assertThat(snp.check("collateral.vcek")).map(Check::detail).hasValueSatisfying(d -> assertThat(d).contains("fetched"));
        assertThat(server.requests(TCB_PATH)).isEqualTo(1);
        assertThat(server.requests("/vcek/v1/Milan/")).as("one VCEK and one CRL").isEqualTo(2);
        assertThat(cache.resolve("tdx/tcb-info")).isDirectory();
    }

    @Test
    void withTheServerStoppedTheCacheServesUntilNextUpdateAndIsRefusedAfter() {
        appraise(service(issued, Duration.ZERO), evidence("tdx/emulated"), issued);
        server.close();
        Instant later = issued.plus(VALIDITY).minusSeconds(60);
        Appraisal fromCache = appraise(service(later, Duration.ZERO), evidence("tdx/emulated"), later);
        assertVerified(fromCache, "collateral.tcb_info", "collateral");
        assertThat(fromCache.check("collateral").orElseThrow().detail()).contains("cache (fetched ");

        Instant stale = issued.plus(VALIDITY).plusSeconds(120);
        Appraisal refused = appraise(service(stale, Duration.ZERO), evidence("tdx/emulated"), stale);
        assertThat(refused.affirming()).isFalse();
        assertThat(refused.check("collateral")).hasValueSatisfying(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("is unreachable").contains("the cached copy went stale at");
        });

        Appraisal graced = appraise(service(stale, Duration.ofHours(1)), evidence("tdx/emulated"), stale);
        assertVerified(graced, "collateral.tcb_info");
        assertThat(graced.check("collateral.tcb_info").orElseThrow().detail()).contains("used within the configured grace period");
    }

    @Test
    void anSnpReportWhoseArkCrlCannotBeHadFailsClosedAndKeepsItsOtherChecks() {
        Evidence withTable;
        try (ProviderSession s = ProviderSession.open(Optional.of("snp/emulated"), ctx)) {
            Report r = s.report(ReportRequest.of(new byte[64]));
            withTable = Evidence.of(r.outblob(), Map.of("certs", r.auxblob())); // the VCEK comes from the guest, the CRL cannot
        }
        server.close();
        Appraisal a = appraise(service(issued, Duration.ZERO), withTable, issued);
        assertThat(a.affirming()).isFalse();
        assertThat(a.check("chain.revocation")).hasValueSatisfying(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).startsWith("cannot be checked: ").contains("Milan VCEK CRL").contains("is unreachable");
        });
        assertThat(a.check("report.signature")).map(Check::passed).contains(true);
        assertThat(a.claims()).as("claims of evidence not fully verified are not passed on").isEmpty();
        assertVerified(appraise(CollateralService.offline(), withTable, issued), "report.signature"); // offline: no revocation check
    }

    @Test
    void fiftyConcurrentAppraisalsOfANewPlatformMakeOneFetch() throws Exception {
        CollateralService s = service(issued, Duration.ZERO);
        List<Evidence> quotes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            quotes.add(evidence("tdx/emulated"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Appraisal>> all = new ArrayList<>();
            for (Evidence q : quotes) {
                all.add(pool.submit(() -> appraise(s, q, issued)));
            }
            for (Future<Appraisal> f : all) {
                assertVerified(f.get(), "collateral.tcb_info");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.requests(TCB_PATH)).isEqualTo(1);
        assertThat(server.requests("/tdx/certification/v4/qe/identity")).isEqualTo(1);
        assertThat(s.stats().fetches()).isEqualTo(4);
        assertThat(s.stats().hits()).as("every other request had it without a fetch").isEqualTo(50 * 4 - 4);
    }

    @Test
    void aThrottledFetchIsRetriedAfterRetryAfter() {
        server.setFaults(EmulatedServer.Faults.throttled(1, 1));
        long start = System.nanoTime();
        assertVerified(appraise(service(issued, Duration.ZERO), evidence("tdx/emulated"), issued), "collateral.tcb_info");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(server.requests(TCB_PATH)).as("429, then the document").isEqualTo(2);
    }

    @Test
    void aTamperedItemIsRefusedAndNotCached() {
        server.setFaults(EmulatedServer.Faults.tamperingTcbInfo());
        CollateralService s = service(issued, Duration.ZERO);
        Appraisal a = appraise(s, evidence("tdx/emulated"), issued);
        assertThat(a.affirming()).isFalse();
        assertThat(a.check("collateral")).hasValueSatisfying(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("was refused and not cached").contains("tcb_info_signature");
        });
        assertThat(cache.resolve("tdx/tcb-info")).doesNotExist();
        assertThat(s.stats().failures()).containsEntry(Failure.BAD_DOCUMENT, 1L);
        server.setFaults(EmulatedServer.Faults.none());
        assertThat(appraise(s, evidence("tdx/emulated"), issued).check("collateral").orElseThrow().detail())
                .as("the failure is remembered for a while, not refetched on every request").contains("not asked again before");
    }

    @Test
    void collateralTheGuestSendsCannotOverruleTheVerifiersOwn() {
        Evidence quote;
        EmulatedServer revoking;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            // the verifier's PCS says the platform's PCK is revoked; the guest brings older collateral that does not
            Bytes unrevoked = Bytes.of(EmulatedCollateral.issue(tdx.platform(), issued, VALIDITY, false, new SecureRandom()).toDcapQvlJson());
            quote = Evidence.of(tdx.report(ReportRequest.of(new byte[64])).outblob(), Map.of("collateral", unrevoked));
            revoking = EmulatedServer.start("127.0.0.1", 0, List.of(new EmulatedPcs(tdx.platform(), EmulatedCollateral.issue(tdx.platform(),
                    issued, VALIDITY, true, new SecureRandom()))), EmulatedServer.Faults.none(), line -> { });
        }
        try {
            CollateralService s = CollateralService.builder().origins(Origins.none().with(Origins.PCS, revoking.uri()))
                    .store(new DirectoryStore(cache)).build();
            Appraisal a = appraise(s, quote, issued);
            assertThat(a.affirming()).isFalse();
            assertThat(a.check("pck.revocation")).map(Check::toString).hasValueSatisfying(c -> assertThat(c).startsWith("FAIL pck.revocation: ")
                    .contains("is revoked"));
        } finally {
            revoking.close();
        }
        // with no service and nothing cached, the guest's collateral is used, verified like any, and the result says so
        Appraisal fallback = appraise(CollateralService.offline(), quote, issued);
        assertVerified(fallback, "collateral.tcb_info", "pck.revocation");
        assertThat(fallback.check("collateral").orElseThrow().detail()).startsWith("sent with the evidence (verified like fetched collateral)");
        server.close(); // the service fails: what it cached still wins over the guest's collateral
        assertThat(appraise(service(issued, Duration.ZERO), quote, issued).check("pck.revocation")).map(Check::passed).contains(false);
        // with nothing cached either, the guest's collateral is the fallback, and the result names the failure
        Appraisal unreachable = appraise(CollateralService.builder().origins(Origins.none().with(Origins.PCS, server.uri()))
                .store(new DirectoryStore(cache.resolve("empty"))).build(), quote, issued);
        assertVerified(unreachable, "pck.revocation");
        assertThat(unreachable.check("collateral").orElseThrow().detail()).contains("because the service had none").contains("is unreachable");
    }

    @Test
    void refreshReplacesItemsAheadOfExpiryWithoutARequestWaiting() {
        CollateralService early = service(issued, Duration.ZERO);
        appraise(early, evidence("tdx/emulated"), issued);
        CollateralService s = CollateralService.builder().origins(Origins.none().with(Origins.PCS, server.uri())).store(new DirectoryStore(cache))
                .clock(Clock.fixed(issued.plus(VALIDITY).minusSeconds(300), ZoneOffset.UTC)).refreshAhead(Duration.ofMinutes(10)).build();
        appraise(s, evidence("tdx/emulated"), issued.plus(VALIDITY).minusSeconds(300));
        int before = server.requests(TCB_PATH);
        assertThat(s.refreshDue()).as("every item is due within 10 minutes").isEqualTo(4);
        assertThat(server.requests(TCB_PATH)).isEqualTo(before + 1);
    }
}
