// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.broker.store.CollateralDocuments;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.verify.Appraiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guests that send their evidence and nothing else, to two brokers on one PostgreSQL: the brokers
 * fetch the collateral from the emulated PCS and KDS, and the second finds what the first fetched
 * in the shared store instead of fetching it again.
 */
class SharedCollateralTest {
    @TempDir
    static Path state;
    static PostgresServer pg;
    static EmulatedServer pcsAndKds;
    static BrokerFixture a;
    static BrokerFixture b;

    @BeforeAll
    static void start() throws Exception {
        Path tees = BrokerFixture.sharedTees();
        var ctx = dev.guestattest.core.ProviderContext.defaults().withStateDir(tees);
        List<EmulatedService> services = Tees.discover().emulatedServices(ctx, Duration.ofDays(1));
        pcsAndKds = EmulatedServer.start("127.0.0.1", 0, services, EmulatedServer.Faults.none(), line -> { });
        pg = PostgresServer.start();
        a = new BrokerFixture(tees, state, pg.url(), c -> c, SharedCollateralTest::appraiser);
        b = new BrokerFixture(tees, state, pg.url(), c -> c, SharedCollateralTest::appraiser);
        assertThat(a.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY).status()).isEqualTo(200);
        assertThat(a.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"test/*/*\", \"status\": \"warning\"}]}").status())
                .isEqualTo(200);
        assertThat(a.admin("POST", "/kbs/v0/resource/test/disk/key", "released").status()).isEqualTo(200);
    }

    private static Appraiser appraiser(dev.guestattest.broker.store.Database db) {
        return Appraiser.discover().withCollateral(CollateralService.builder().origins(Origins.none().with(Origins.PCS, pcsAndKds.uri())
                .with(Origins.KDS, pcsAndKds.uri())).store(new CollateralDocuments(db)).build());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, pg, pcsAndKds}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String fetch(BrokerFixture broker, String provider, String tee) {
        return new KbsClient(broker.uri, Duration.ofSeconds(10)).get(tee, broker.attester(provider, false), "test/disk/key")
                .apply(x -> new String(x, StandardCharsets.UTF_8));
    }

    @Test
    void evidenceAloneIsAppraisedAndEachItemIsFetchedOnceForBothBrokers() {
        assertThat(fetch(a, "tdx/emulated", "tdx")).isEqualTo("released");
        assertThat(fetch(a, "snp/emulated", "snp")).isEqualTo("released");
        int tcbInfo = pcsAndKds.requests("/tdx/certification/v4/tcb");
        int vcek = pcsAndKds.requests("/vcek/v1/Milan/");
        assertThat(tcbInfo).isEqualTo(1);
        assertThat(vcek).as("the VCEK and the CRL").isEqualTo(2);

        assertThat(fetch(b, "tdx/emulated", "tdx")).isEqualTo("released");
        assertThat(fetch(b, "snp/emulated", "snp")).isEqualTo("released");
        assertThat(pcsAndKds.requests("/tdx/certification/v4/tcb")).as("B found A's copy in the shared store").isEqualTo(tcbInfo);
        assertThat(pcsAndKds.requests("/vcek/v1/Milan/")).isEqualTo(vcek);
        assertThat(new String(b.broker.metrics().scrape(), StandardCharsets.UTF_8))
                .contains("guestattest_broker_collateral_fetches_total 0.0").contains("guestattest_broker_collateral_cache_hits_total");
    }

    @Test
    void instancesOnOneDatabaseThatSeeANewItemAtOnceFetchItOnce() throws Exception {
        var ctx = dev.guestattest.core.ProviderContext.defaults().withStateDir(BrokerFixture.sharedTees());
        java.security.cert.X509Certificate root;
        try (var tdx = dev.guestattest.tdx.emulator.TdxEmulatedProvider.open(ctx)) {
            root = tdx.platform().rootCertificate();
        }
        EmulatedServer slow = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ctx, Duration.ofDays(1)),
                EmulatedServer.Faults.slow(400), line -> { });
        List<dev.guestattest.broker.store.Database> dbs = List.of(dev.guestattest.broker.store.Database.open(pg.url()),
                dev.guestattest.broker.store.Database.open(pg.url()), dev.guestattest.broker.store.Database.open(pg.url()));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(dbs.size());
        try {
            var anchors = dev.guestattest.tdx.verify.TrustAnchors.intelAnd(List.of(root));
            List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
            for (var db : dbs) { // three instances (own service, own pool) on one database
                CollateralService s = CollateralService.builder().origins(Origins.none().with(Origins.PCS, slow.uri()))
                        .store(new CollateralDocuments(db)).build();
                all.add(pool.submit(() -> s.get(new dev.guestattest.tdx.verify.PcsCollateral(s, anchors).rootCrl())));
            }
            for (var f : all) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(slow.requests("/sgx/certification/v4/rootcacrl")).as("one fetch for the fleet").isEqualTo(1);
        } finally {
            pool.shutdownNow();
            dbs.forEach(dev.guestattest.broker.store.Database::close);
            slow.close();
        }
    }
}
