// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** A broker in its own JVM, to be killed: {@code KillableBroker STORE-DIR TEE-STATE-DIR}; prints its URL, then serves until killed. */
public final class KillableBroker {
    private KillableBroker() {
    }

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        BrokerConfig config;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ProviderContext.defaults().withStateDir(Path.of(args[1])))) {
            config = BrokerConfig.DEFAULT.withRoots("tdx", List.of(tdx.platform().rootCertificate()));
        }
        Broker broker = new Broker(Database.open(store.toString()), Kek.loadOrCreate(store.resolve("kek")), config, Appraiser.discover(),
                Clock.systemUTC());
        BrokerServer server = BrokerServer.start(broker, "127.0.0.1", 0, BrokerFixture.ADMIN.getBytes(StandardCharsets.UTF_8), Optional.empty());
        System.out.println(server.uri());
        System.out.flush();
        server.join();
    }
}
