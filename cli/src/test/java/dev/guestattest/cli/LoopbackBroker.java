// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.broker.store.CollateralDocuments;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import java.time.Duration;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A key broker on loopback that releases its resources to the emulated TDX guest whose state is
 * {@link #state()}: the other side of the CLI's secret, keys and fscrypt commands in tests.
 */
final class LoopbackBroker implements AutoCloseable {
    private final Path state;
    private final Database db;
    private final Broker broker;
    private final BrokerServer server;
    private final EmulatedServer pcs;

    private LoopbackBroker(Path state, Database db, Broker broker, BrokerServer server, EmulatedServer pcs) {
        this.state = state;
        this.db = db;
        this.broker = broker;
        this.server = server;
        this.pcs = pcs;
    }

    static LoopbackBroker start(Path work) throws Exception {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(work.resolve("state"));
        String mrtd;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            mrtd = dev.guestattest.tdx.abi.Quote.parse(tdx.report(dev.guestattest.core.ReportRequest.of(new byte[64])).outblob().toArray())
                    .body().mrTd().hex();
        }
        return start(work, c -> c, "{\"id\": \"guest\", \"tees\": [\"tdx\"], \"reference_values\": {\"initial_measurement\": [\""
                + mrtd + "\"]}}");
    }

    /** A broker trusting the emulators' anchors and what {@code trust} adds, under the attestation policy {@code policy}. */
    static LoopbackBroker start(Path work, java.util.function.UnaryOperator<BrokerConfig> trust, String policy) throws Exception {
        Path state = work.resolve("state");
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        BrokerConfig config = trust.apply(EmulatorTrust.apply(ctx, BrokerConfig.DEFAULT));
        Database db = Database.open(work.resolve("store").toString());
        // the guest sends its quote alone: the broker fetches the collateral from the emulated PCS, as from Intel's
        EmulatedServer pcs = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ctx, Duration.ofDays(1)),
                EmulatedServer.Faults.none(), line -> { });
        try {
            Appraiser appraiser = Appraiser.discover().withCollateral(CollateralService.builder().origins(Origins.none()
                    .with(Origins.PCS, pcs.uri()).with(Origins.KDS, pcs.uri())).store(new CollateralDocuments(db)).build());
            Broker broker = new Broker(db, Kek.loadOrCreate(work.resolve("kek")), config, appraiser, Clock.systemUTC());
            broker.setAttestationPolicy(policy.getBytes(StandardCharsets.UTF_8), "test");
            BrokerServer server = BrokerServer.start(broker, "127.0.0.1", 0, "admin-token-for-this-test".getBytes(StandardCharsets.UTF_8),
                    Optional.empty());
            return new LoopbackBroker(state, db, broker, server, pcs);
        } catch (Exception e) {
            pcs.close();
            db.close();
            throw e;
        }
    }

    /** Sets the resource policy (JSON). */
    LoopbackBroker resourcePolicy(String document) {
        broker.setResourcePolicy(document.getBytes(StandardCharsets.UTF_8), "test");
        return this;
    }

    LoopbackBroker put(String path, byte[] value) {
        broker.putResource(path, value, "test");
        return this;
    }

    URI uri() {
        return server.uri();
    }

    /** The emulated guest's state directory: pass it as --state-dir. */
    Path state() {
        return state;
    }

    /** The options that make a CLI command attest as that guest to this broker. */
    List<String> guestOptions() {
        return new ArrayList<>(List.of("--broker", uri().toString(), "--provider", "tdx/emulated", "--state-dir", state.toString()));
    }

    /** The CLI as a separate JVM (this test's class path), for what needs a process of its own: a session, a request-key handler. */
    static List<String> cliProcess() {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
    }

    @Override
    public void close() throws Exception {
        pcs.close();
        try {
            server.close();
        } finally {
            db.close();
        }
    }
}
