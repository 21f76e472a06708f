// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.broker.http.BrokerServer;
import dev.guestattest.broker.store.Database;
import dev.guestattest.broker.store.Kek;
import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.broker.store.CollateralDocuments;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.EmulatedServer;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.verify.Appraiser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A broker on loopback whose trust anchors are the emulated TEEs' of one state directory, and
 * guests that attest with those emulators.
 */
final class BrokerFixture implements AutoCloseable {
    static final String ADMIN = "admin-token-for-tests";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final ProviderContext ctx;
    final Bytes collateral;
    final BrokerConfig config;
    final Broker broker;
    final BrokerServer server;
    final URI uri;

    private static Path sharedTees;

    /** One emulator state directory for the test classes that do not care whose it is: making the emulators' keys takes seconds. */
    static synchronized Path sharedTees() {
        if (sharedTees == null) {
            try {
                sharedTees = java.nio.file.Files.createTempDirectory("broker-tees");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Path dir = sharedTees;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var walk = java.nio.file.Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (java.io.IOException ignored) {
                    // a temporary directory left behind
                }
            }));
        }
        return sharedTees;
    }

    /** {@code tees}: the emulators' state, shared between tests (making their keys is slow); {@code state}: this broker's. */
    BrokerFixture(Path tees, Path state, String store) {
        this(tees, state, store, cfg -> cfg);
    }

    BrokerFixture(Path tees, Path state, String store, java.util.function.UnaryOperator<BrokerConfig> tweak) {
        this(tees, state, store, tweak, db -> Appraiser.discover().withCollateral(CollateralService.builder()
                .origins(Origins.none().with(Origins.PCS, pcsAndKds(tees)).with(Origins.KDS, pcsAndKds(tees))).store(new CollateralDocuments(db))
                .build()));
    }

    private static final Map<Path, EmulatedServer> SERVICES = new HashMap<>();

    /**
     * The emulated PCS and KDS of the emulators in {@code tees}, one per directory for the whole run:
     * a broker fetches TDX collateral and SNP VCEKs itself, as Trustee does (a guest-components guest sends none).
     */
    static synchronized URI pcsAndKds(Path tees) {
        return SERVICES.computeIfAbsent(tees, dir -> {
            EmulatedServer s = EmulatedServer.start("127.0.0.1", 0, Tees.discover().emulatedServices(ProviderContext.defaults().withStateDir(dir),
                    Duration.ofDays(1)), EmulatedServer.Faults.none(), line -> { });
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
            return s;
        }).uri();
    }

    /** With the broker's appraiser ({@code appraiser}: a seam for verifiers that misbehave); the server's per-client limits are in the config. */
    BrokerFixture(Path tees, Path state, String store, java.util.function.UnaryOperator<BrokerConfig> tweak, Appraiser appraiser) {
        this(tees, state, store, tweak, db -> appraiser);
    }

    /** With an appraiser made for the broker's database (one whose collateral cache lives there). */
    BrokerFixture(Path tees, Path state, String store, java.util.function.UnaryOperator<BrokerConfig> tweak,
                  java.util.function.Function<Database, Appraiser> appraiser) {
        ctx = ProviderContext.defaults().withStateDir(tees);
        X509Certificate tdxRoot;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            tdxRoot = tdx.platform().rootCertificate();
            collateral = Bytes.of(EmulatedCollateral.issue(tdx.platform(), ctx.clock().instant(), Duration.ofDays(1), false, ctx.random())
                    .toDcapQvlJson());
        }
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(ctx).chip();
        Bytes cpak = Bytes.of(Pem.encode("PUBLIC KEY", EmulatedRealm.open(ctx).cpak().getEncoded()).getBytes(StandardCharsets.US_ASCII));
        config = tweak.apply(BrokerConfig.DEFAULT.withTrustedAux("cca", "cpak", cpak).withRoots("tdx", List.of(tdxRoot))
                .withRoots("snp", List.of(chip.arkCertificate(), chip.askCertificate(), chip.asvkCertificate()))
                .withRoots("cove", List.of(EmulatedTsm.open(ctx).rootCertificate())));
        Database db = Database.open(store.startsWith("jdbc:") ? store : state.resolve(store).toString());
        broker = new Broker(db, Kek.loadOrCreate(state.resolve(store.startsWith("jdbc:") ? "kek" : store + "/kek")), config, appraiser.apply(db),
                Clock.systemUTC());
        server = BrokerServer.start(broker, "127.0.0.1", 0, ADMIN.getBytes(StandardCharsets.UTF_8), Optional.empty());
        uri = server.uri();
    }

    /** What one client may hold: connections, a body's deadline and minimum rate, idle time (once {@code BrokerServer.Limits}). */
    static java.util.function.UnaryOperator<BrokerConfig> limits(int connectionsPerClient, Duration bodyDeadline, int minBodyBytesPerSecond,
                                                                 Duration idleTimeout) {
        return c -> c.toBuilder().connectionsPerClient(connectionsPerClient).bodyDeadline(bodyDeadline).minBodyBytesPerSecond(minBodyBytesPerSecond)
                .idleTimeout(idleTimeout).build();
    }

    KbsClient client() {
        return new KbsClient(uri, Duration.ofSeconds(10));
    }

    /** The guest's attester for an emulated provider: its report, plus the parts a real guest would send along. */
    KbsClient.Attester attester(String provider) {
        return attester(provider, true);
    }

    /** ... or, without {@code parts}, its report alone: what a guest of a host without a certificate table sends. */
    KbsClient.Attester attester(String provider, boolean parts) {
        return reportData -> {
            try (ProviderSession s = ProviderSession.open(Optional.of(provider), ctx)) {
                Report b = s.report(ReportRequest.of(reportData.toArray()));
                Map<String, Bytes> aux = new HashMap<>();
                if (!parts) {
                    return new Evidence(Optional.empty(), b.outblob(), aux);
                }
                if (provider.startsWith("snp/")) {
                    aux.put("certs", b.auxblob());
                }
                return new Evidence(Optional.empty(), b.outblob(), aux);
            }
        };
    }

    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    Answer call(String method, String path, String body, Optional<String> bearer, Optional<String> cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        bearer.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        cookie.ifPresent(c -> b.header("Cookie", c));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    /** A call on a raw socket from local address {@code from} (any of 127/8: a client other than the HTTP client's 127.0.0.1). */
    Answer raw(String from, String method, String path, Optional<String> bearer, String body) {
        try (java.net.Socket so = new java.net.Socket()) {
            so.bind(new java.net.InetSocketAddress(from, 0));
            so.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 2_000);
            so.setSoTimeout(10_000);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            so.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: broker\r\nConnection: close\r\nContent-Length: " + b.length + "\r\n"
                    + bearer.map(t -> "Authorization: Bearer " + t + "\r\n").orElse("") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            so.getOutputStream().write(b);
            String response = new String(so.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(response.substring(9, 12)), response.substring(response.indexOf("\r\n\r\n") + 4));
        } catch (java.io.IOException e) {
            throw new AssertionError(method + " " + path + " from " + from + " failed", e);
        }
    }

    Answer admin(String method, String path, String body) {
        return call(method, path, body, Optional.of(ADMIN), Optional.empty());
    }

    /** A policy accepting every emulated TEE with debug allowed; measurements are left to reference values. */
    static final String POLICY = "{\"id\": \"emulated\", \"tees\": [\"tdx\", \"snp\", \"cca\", \"cove\"], \"allow_debug\": true}";

    @Override
    public void close() {
        server.close();
        broker.database().close();
    }
}
