package dev.guestattest.broker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerException;
import dev.guestattest.broker.Unexpected;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.mr.HashAlgorithm;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The broker on Jetty: Trustee's KBS paths under {@code /kbs/v0}, the admin paths (a separate
 * credential: {@code Authorization: Bearer <admin token>}), {@code POST /appraise}, {@code
 * /metrics} and {@code /healthz}. Loopback unless told otherwise; TLS when given a key store.
 * Bodies are bounded in size, time and rate and read without holding a worker while they arrive; each
 * client's connections are capped ({@link Limits}). Errors are JSON {@code {"type", "detail"}} with the
 * status, never a stack trace.
 */
public final class BrokerServer implements AutoCloseable {
    public static final String COOKIE = "kbs-session-id";
    public static final int MAX_BODY = 4 << 20;
    private static final String PREFIX = "/kbs/v0/";
    private static final String ERROR_TYPE = "https://guestattest.dev/broker/errors/";
    private static final System.Logger LOG = System.getLogger("dev.guestattest.broker");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jetty's start and stop notices are not news; its warnings are (held: java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger JETTY_LOG = java.util.logging.Logger.getLogger("org.eclipse.jetty");

    static {
        JETTY_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;

    /** TLS from a PKCS#12 key store (server certificate and key). */
    public record Tls(java.nio.file.Path keyStore, String password) {
        @Override
        public String toString() {
            return "Tls[" + keyStore + "]";
        }
    }

    /**
     * What one client may hold: open connections per client address (IPv6 by /64), how long a request
     * body may take to arrive whole, the rate under which it is cut off once past a second's grace
     * (0: deadline only), and how long a connection may sit idle. A client that trickles its body holds
     * no worker thread meanwhile; these bound how long, and how many, connections it holds.
     */
    public record Limits(int connectionsPerClient, java.time.Duration bodyDeadline, int minBodyBytesPerSecond, java.time.Duration idleTimeout) {
        /** 64 connections (a NAT of guests, a load test), 20 s and 4 KiB/s for a body (a 4 MiB body needs 200 KiB/s), 30 s idle. */
        public static final Limits DEFAULT = new Limits(64, java.time.Duration.ofSeconds(20), 4096, java.time.Duration.ofSeconds(30));

        public Limits {
            java.util.Objects.requireNonNull(bodyDeadline, "bodyDeadline");
            java.util.Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (connectionsPerClient < 1) {
                throw AttestationException.invalid("connectionsPerClient", "must be at least 1, not " + connectionsPerClient);
            }
            if (bodyDeadline.toMillis() < 1) {
                throw AttestationException.invalid("bodyDeadline", "must be at least 1 ms, not " + bodyDeadline);
            }
            if (minBodyBytesPerSecond < 0) {
                throw AttestationException.invalid("minBodyBytesPerSecond", "must be 0 (no minimum) or more, not " + minBodyBytesPerSecond);
            }
            if (idleTimeout.toMillis() < 1) {
                throw AttestationException.invalid("idleTimeout", "must be at least 1 ms, not " + idleTimeout);
            }
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
        return start(broker, host, port, adminToken, tls, Limits.DEFAULT);
    }

    /** As {@link #start(Broker, String, int, byte[], Optional)}, with {@code limits} on what one client may hold. */
    public static BrokerServer start(Broker broker, String host, int port, byte[] adminToken, Optional<Tls> tls, Limits limits) {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4, 60_000);
        threads.setName("broker");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(16 * 1024);
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
        c.setIdleTimeout(limits.idleTimeout().toMillis());
        c.addBean(new ClientConnectionLimit(limits.connectionsPerClient(), broker.metrics()));
        server.addConnector(c);
        server.setHandler(new Routes(broker, HashAlgorithm.SHA256.hash(adminToken), limits));
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

    /** One request: what it is answered with, and who asked. */
    private record Exchange(Request request, Response response, Callback callback, String method, String path, String client, String endpoint) {
    }

    /**
     * One handler: routes by method and path, turns a caller without the admin credential away before
     * reading its body, reads the body without holding the thread, maps refusals to statuses and counts
     * every request.
     */
    private static final class Routes extends Handler.Abstract {
        private final Broker broker;
        private final byte[] adminDigest;
        private final Limits limits;

        Routes(Broker broker, byte[] adminDigest, Limits limits) {
            super(InvocationType.BLOCKING);
            this.broker = broker;
            this.adminDigest = adminDigest;
            this.limits = limits;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            String method = request.getMethod();
            Exchange x = new Exchange(request, response, callback, method, path, Request.getRemoteAddr(request), endpoint(method, path));
            if (x.endpoint().equals("admin")) {
                try {
                    broker.admitAdmin(adminCredential(request), x.client());
                } catch (RuntimeException refused) {
                    answer(x, () -> {
                        throw refused;
                    });
                    return true;
                }
            }
            if (method.equals("POST") || method.equals("PUT")) {
                BodyReader.read(request, limits, MAX_BODY, body -> answer(x, () -> serve(x, body)));
            } else {
                answer(x, () -> serve(x, () -> new byte[0]));
            }
            return true;
        }

        /** The endpoint's name for metrics; {@code admin} for every path under the admin credential, whatever the method. */
        private static String endpoint(String method, String path) {
            if (path.equals(PREFIX + "auth") || path.equals(PREFIX + "attest") || path.equals(PREFIX + "token-key")) {
                return path.substring(PREFIX.length());
            }
            if (path.startsWith(PREFIX + "resource/")) {
                return method.equals("GET") ? "resource" : "admin";
            }
            if (path.equals(PREFIX + "attestation-policy") || path.equals(PREFIX + "resource-policy") || path.equals(PREFIX + "reference-value")
                    || path.equals(PREFIX + "audit")) {
                return "admin";
            }
            return switch (path) {
                case "/appraise" -> "appraise";
                case "/metrics" -> "metrics";
                case "/healthz" -> "healthz";
                default -> "other";
            };
        }

        /** Runs {@code work} (which answers and returns the status), or answers what it threw; counts the request either way. */
        private void answer(Exchange x, java.util.function.IntSupplier work) {
            int status;
            try {
                status = work.getAsInt();
            } catch (BrokerException e) {
                status = e.status();
                error(x, status, e.getMessage());
            } catch (AttestationException e) {
                if (e.reason().category() == Reason.Category.INPUT) {
                    status = e.reason() == Reason.TOO_LARGE ? 413 : 400;
                    error(x, status, e.getMessage());
                } else {
                    // the store's own words stay in the broker's log: they name tables and hosts
                    status = 503;
                    LOG.log(System.Logger.Level.ERROR, "broker: " + x.method() + " " + x.endpoint() + ": " + e.getMessage());
                    error(x, status, "the broker cannot serve this now (its store is unavailable); retry later");
                }
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                // a bug of the broker's own: where it was thrown, but not its message, which may quote the request
                status = 500;
                LOG.log(System.Logger.Level.WARNING, "broker: " + x.method() + " " + x.endpoint() + " failed: " + Unexpected.where(e));
                LOG.log(System.Logger.Level.DEBUG, "broker: " + x.method() + " " + x.endpoint() + " failed", e);
                error(x, status, "internal error; the broker's log has the details");
            }
            broker.metrics().countRequest(x.endpoint(), status);
        }

        /** Serves {@code x} with its body, which throws the refusal if it could not be read. */
        private int serve(Exchange x, Supplier<byte[]> body) {
            Request request = x.request();
            String path = x.path();
            String method = x.method();
            String client = x.client();
            if (path.equals(PREFIX + "auth") && method.equals("POST")) {
                Broker.Challenge ch = broker.auth(body.get(), client);
                Response.addCookie(x.response(), HttpCookie.build(COOKIE, ch.sessionId()).path("/kbs").httpOnly(true).maxAge(300).build());
                return send(x, 200, "application/json", ch.body().toString());
            } else if (path.equals(PREFIX + "attest") && method.equals("POST")) {
                // the body is handed over unread: one that never arrived is a failed attempt too, and spends the nonce
                String token = broker.attest(cookie(request), body, client);
                return send(x, 200, "application/json", JSON.createObjectNode().put("token", token).toString());
            } else if (path.startsWith(PREFIX + "resource/")) {
                String rest = path.substring((PREFIX + "resource/").length());
                if (method.equals("GET")) {
                    String jwe = broker.release(new Broker.Credential(cookie(request), bearer(request)), rest, client);
                    return send(x, 200, "application/json", jwe);
                } else if (method.equals("POST") || method.equals("PUT")) {
                    broker.admin(client, () -> {
                        broker.putResource(rest, body.get(), client);
                        return rest;
                    });
                    return send(x, 200, "application/json", "{}");
                } else if (method.equals("DELETE")) {
                    boolean gone = broker.admin(client, () -> broker.deleteResource(rest, client));
                    return send(x, gone ? 200 : 404, "application/json", "{}");
                }
                throw refusedAdmin(client, 405, method + " is not allowed on resources (GET; admin: POST, DELETE)");
            } else if (path.equals(PREFIX + "attestation-policy") && method.equals("POST")) {
                String id = broker.admin(client, () -> broker.setAttestationPolicy(body.get(), client));
                return send(x, 200, "application/json", JSON.createObjectNode().put("id", id).toString());
            } else if (path.equals(PREFIX + "resource-policy") && method.equals("POST")) {
                broker.admin(client, () -> {
                    broker.setResourcePolicy(body.get(), client);
                    return path;
                });
                return send(x, 200, "application/json", "{}");
            } else if (path.equals(PREFIX + "reference-value") && method.equals("POST")) {
                broker.admin(client, () -> {
                    broker.setReferenceValues(body.get(), client);
                    return path;
                });
                return send(x, 200, "application/json", "{}");
            } else if (path.equals(PREFIX + "audit") && method.equals("GET")) {
                String entries = broker.admin(client, () -> auditJson(broker.audit(limit(request))));
                return send(x, 200, "application/json", entries);
            } else if (path.equals(PREFIX + "token-key") && method.equals("GET")) {
                String pem = dev.guestattest.core.state.PemFiles.pem("PUBLIC KEY", broker.tokenPublicKey().getEncoded());
                return send(x, 200, "application/x-pem-file", pem);
            } else if (path.equals("/appraise") && method.equals("POST")) {
                ObjectNode out = broker.appraise(body.get(), client);
                return send(x, 200, "application/json", out.toString());
            } else if (path.equals("/metrics") && method.equals("GET")) {
                return send(x, 200, "text/plain; version=0.0.4; charset=utf-8", broker.metrics().scrape());
            } else if (path.equals("/healthz") && method.equals("GET")) {
                broker.resourcePaths();
                return send(x, 200, "application/json", "{\"status\":\"ok\"}");
            } else if (x.endpoint().equals("admin")) {
                throw refusedAdmin(client, 404, method + " " + path + " is not an admin endpoint");
            }
            throw new BrokerException(404, method + " " + path + " is not a broker endpoint");
        }

        /** An admitted admin call to no admin operation: refused like any other admin call. */
        private BrokerException refusedAdmin(String client, int status, String why) {
            return broker.admin(client, () -> {
                throw new BrokerException(status, why);
            });
        }

        private boolean adminCredential(Request request) {
            Optional<String> token = bearer(request);
            return token.isPresent() && MessageDigest.isEqual(HashAlgorithm.SHA256.hash(token.get().getBytes(StandardCharsets.UTF_8)), adminDigest);
        }

        private static Optional<String> bearer(Request request) {
            String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? Optional.of(h.substring(7).trim()) : Optional.empty();
        }

        private static Optional<String> cookie(Request request) {
            List<HttpCookie> cookies = Request.getCookies(request);
            return cookies.stream().filter(c -> c.getName().equals(COOKIE)).map(HttpCookie::getValue).findFirst();
        }

        private static String auditJson(List<dev.guestattest.broker.store.Audit.Entry> entries) {
            com.fasterxml.jackson.databind.node.ArrayNode a = JSON.createArrayNode();
            for (var e : entries) {
                ObjectNode n = a.addObject().put("at", java.time.Instant.ofEpochMilli(e.at()).toString()).put("event", e.event())
                        .put("outcome", e.outcome()).put("client", e.client()).put("detail", e.detail());
                e.session().ifPresent(x -> n.put("session", x));
                e.tee().ifPresent(x -> n.put("tee", x));
                e.path().ifPresent(x -> n.put("path", x));
            }
            return a.toString();
        }

        private static int limit(Request request) {
            String q = Optional.ofNullable(request.getHttpURI().getQuery()).orElse("");
            for (String kv : q.split("&")) {
                if (kv.startsWith("limit=")) {
                    try {
                        return Integer.parseInt(kv.substring(6));
                    } catch (NumberFormatException e) {
                        throw new BrokerException(400, "limit must be a number");
                    }
                }
            }
            return 100;
        }

        private static void error(Exchange x, int status, String detail) {
            String kind = switch (status) {
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "not-found";
                case 405 -> "method-not-allowed";
                case 408 -> "request-timeout";
                case 413 -> "too-large";
                case 429 -> "too-many-requests";
                case 503 -> "unavailable";
                case 500 -> "internal";
                default -> "bad-request";
            };
            if (status == 408 || status == 413) {
                // the rest of the body is not read: the connection cannot carry another request
                x.response().getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            send(x, status, "application/json", JSON.createObjectNode().put("type", ERROR_TYPE + kind).put("detail", detail).toString());
        }

        private static int send(Exchange x, int status, String type, String body) {
            return send(x, status, type, body.getBytes(StandardCharsets.UTF_8));
        }

        private static int send(Exchange x, int status, String type, byte[] body) {
            Response response = x.response();
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(body), x.callback());
            return status;
        }
    }
}
