// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.broker.wire.Protocol;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.mr.HashAlgorithm;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The broker on Jetty ({@link Routes} has the paths). Loopback unless told otherwise; TLS when given
 * a key store. Bodies are bounded in size, time and rate and read without holding a worker while
 * they arrive, and each client's connections are capped: all as the broker's {@link BrokerConfig}
 * says.
 */
public final class BrokerServer implements AutoCloseable {
    public static final String COOKIE = Protocol.COOKIE;
    private static final System.Logger LOG = System.getLogger("dev.guestattest.broker");
    /** Jetty's start and stop notices are not news; its warnings are (held: java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger JETTY_LOG = java.util.logging.Logger.getLogger("org.eclipse.jetty");
    private static final int REQUEST_HEADER_BYTES = 16 * 1024;

    static {
        JETTY_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;

    /** TLS from a PKCS#12 key store (server certificate and key). */
    public record Tls(Path keyStore, String password) {
        @Override
        public String toString() {
            return "Tls[" + keyStore + "]";
        }
    }

    private BrokerServer(Server server, ServerConnector connector, boolean tls) {
        this.server = server;
        this.connector = connector;
        this.tls = tls;
    }

    /**
     * Starts serving {@code broker}; {@code adminToken} is the admin credential (compared by SHA-256
     * in constant time). Port 0 picks a free port; {@link #uri()} says which.
     */
    public static BrokerServer start(Broker broker, String host, int port, byte[] adminToken, Optional<Tls> tls) {
        BrokerConfig config = broker.config();
        QueuedThreadPool threads = new QueuedThreadPool(config.workerThreads(), 4, 60_000);
        threads.setName("broker");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
        ServerConnector c;
        if (tls.isPresent()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.get().keyStore().toString());
            ssl.setKeyStorePassword(tls.get().password());
            ssl.setKeyStoreType("PKCS12");
            c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            c = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(config.idleTimeout().toMillis());
        c.addBean(new ClientConnectionLimit(config.connectionsPerClient(), broker.metrics()));
        server.addConnector(c);
        server.setHandler(new Dispatcher(broker, HashAlgorithm.SHA256.hash(adminToken)));
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing; the start error is the one to report
            }
            throw AttestationException.of(Reason.IO_ERROR, "broker cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        return new BrokerServer(server, c, tls.isPresent());
    }

    public URI uri() {
        String host = connector.getHost().contains(":") ? "[" + connector.getHost() + "]" : connector.getHost();
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + connector.getLocalPort());
    }

    /** Blocks until the server stops (or the thread is interrupted). */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "broker did not stop cleanly: " + e.getMessage());
        }
    }
}
