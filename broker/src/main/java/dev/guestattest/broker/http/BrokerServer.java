package dev.guestattest.broker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerException;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.mr.HashAlgorithm;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
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
 * Bodies are bounded; errors are JSON {@code {"type", "detail"}} with the status, never a stack trace.
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
        c.setIdleTimeout(30_000);
        server.addConnector(c);
        server.setHandler(new Routes(broker, HashAlgorithm.SHA256.hash(adminToken)));
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

    /** One handler: routes by method and path, maps refusals to statuses, counts every request. */
    private static final class Routes extends Handler.Abstract {
        private final Broker broker;
        private final byte[] adminDigest;

        Routes(Broker broker, byte[] adminDigest) {
            super(InvocationType.BLOCKING);
            this.broker = broker;
            this.adminDigest = adminDigest;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            String method = request.getMethod();
            String client = Request.getRemoteAddr(request);
            String endpoint = "other";
            int status = 200;
            try {
                if (path.equals(PREFIX + "auth") && method.equals("POST")) {
                    endpoint = "auth";
                    Broker.Challenge ch = broker.auth(body(request), client);
                    Response.addCookie(response, HttpCookie.build(COOKIE, ch.sessionId()).path("/kbs").httpOnly(true)
                            .maxAge(300).build());
                    send(response, callback, 200, "application/json", ch.body().toString());
                } else if (path.equals(PREFIX + "attest") && method.equals("POST")) {
                    endpoint = "attest";
                    String token = broker.attest(cookie(request), body(request), client);
                    send(response, callback, 200, "application/json", JSON.createObjectNode().put("token", token).toString());
                } else if (path.startsWith(PREFIX + "resource/")) {
                    String rest = path.substring((PREFIX + "resource/").length());
                    if (method.equals("GET")) {
                        endpoint = "resource";
                        Optional<String> bearer = bearer(request);
                        String jwe = broker.release(new Broker.Credential(cookie(request), bearer), rest, client);
                        send(response, callback, 200, "application/json", jwe);
                    } else if (method.equals("POST") || method.equals("PUT")) {
                        endpoint = "admin";
                        admin(request);
                        broker.putResource(rest, body(request), client);
                        send(response, callback, 200, "application/json", "{}");
                    } else if (method.equals("DELETE")) {
                        endpoint = "admin";
                        admin(request);
                        status = broker.deleteResource(rest, client) ? 200 : 404;
                        send(response, callback, status, "application/json", "{}");
                    } else {
                        throw new BrokerException(405, method + " is not allowed on resources (GET; admin: POST, DELETE)");
                    }
                } else if (path.equals(PREFIX + "attestation-policy") && method.equals("POST")) {
                    endpoint = "admin";
                    admin(request);
                    String id = broker.setAttestationPolicy(body(request), client);
                    send(response, callback, 200, "application/json", JSON.createObjectNode().put("id", id).toString());
                } else if (path.equals(PREFIX + "resource-policy") && method.equals("POST")) {
                    endpoint = "admin";
                    admin(request);
                    broker.setResourcePolicy(body(request), client);
                    send(response, callback, 200, "application/json", "{}");
                } else if (path.equals(PREFIX + "reference-value") && method.equals("POST")) {
                    endpoint = "admin";
                    admin(request);
                    broker.setReferenceValues(body(request), client);
                    send(response, callback, 200, "application/json", "{}");
                } else if (path.equals(PREFIX + "audit") && method.equals("GET")) {
                    endpoint = "admin";
                    admin(request);
                    send(response, callback, 200, "application/json", auditJson(broker.audit(limit(request))));
                } else if (path.equals(PREFIX + "token-key") && method.equals("GET")) {
                    endpoint = "token-key";
                    String pem = dev.guestattest.core.state.PemFiles.pem("PUBLIC KEY", broker.tokenPublicKey().getEncoded());
                    send(response, callback, 200, "application/x-pem-file", pem);
                } else if (path.equals("/appraise") && method.equals("POST")) {
                    endpoint = "appraise";
                    ObjectNode out = broker.appraise(body(request), client);
                    send(response, callback, 200, "application/json", out.toString());
                } else if (path.equals("/metrics") && method.equals("GET")) {
                    endpoint = "metrics";
                    send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", broker.metrics().scrape());
                } else if (path.equals("/healthz") && method.equals("GET")) {
                    endpoint = "healthz";
                    broker.resourcePaths();
                    send(response, callback, 200, "application/json", "{\"status\":\"ok\"}");
                } else {
                    throw new BrokerException(404, method + " " + path + " is not a broker endpoint");
                }
            } catch (BrokerException e) {
                status = e.status();
                error(response, callback, status, e.getMessage());
            } catch (AttestationException e) {
                if (e.reason().category() == Reason.Category.INPUT) {
                    status = e.reason() == Reason.TOO_LARGE ? 413 : 400;
                    error(response, callback, status, e.getMessage());
                } else {
                    // the store's own words stay in the broker's log: they name tables and hosts
                    status = 503;
                    LOG.log(System.Logger.Level.ERROR, "broker: " + method + " " + endpoint + ": " + e.getMessage());
                    error(response, callback, status, "the broker cannot serve this now (its store is unavailable); retry later");
                }
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                status = 500;
                LOG.log(System.Logger.Level.ERROR, "broker: " + method + " " + endpoint + " failed", e);
                error(response, callback, status, "internal error; the broker's log has the details");
            }
            broker.metrics().countRequest(endpoint, status);
            return true;
        }

        private void admin(Request request) {
            Optional<String> token = bearer(request);
            if (token.isEmpty() || !MessageDigest.isEqual(HashAlgorithm.SHA256.hash(token.get().getBytes(StandardCharsets.UTF_8)), adminDigest)) {
                throw new BrokerException(401, "this is an admin endpoint: it takes the admin token (Authorization: Bearer ...), "
                        + "not a guest's attestation token");
            }
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

        private static byte[] body(Request request) {
            long declared = request.getLength();
            if (declared > MAX_BODY) {
                throw new BrokerException(413, "request body of " + declared + " bytes is over the " + MAX_BODY + "-byte limit");
            }
            try (InputStream in = Content.Source.asInputStream(request)) {
                byte[] b = in.readNBytes(MAX_BODY + 1);
                if (b.length > MAX_BODY) {
                    throw new BrokerException(413, "request body is over the " + MAX_BODY + "-byte limit");
                }
                return b;
            } catch (java.io.IOException e) {
                throw new BrokerException(400, "request body cannot be read: " + e.getMessage());
            }
        }

        private static void error(Response response, Callback callback, int status, String detail) {
            String kind = switch (status) {
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "not-found";
                case 413 -> "too-large";
                case 429 -> "too-many-requests";
                case 503 -> "unavailable";
                case 500 -> "internal";
                default -> "bad-request";
            };
            send(response, callback, status, "application/json",
                    JSON.createObjectNode().put("type", ERROR_TYPE + kind).put("detail", detail).toString());
        }

        private static void send(Response response, Callback callback, int status, String type, String body) {
            send(response, callback, status, type, body.getBytes(StandardCharsets.UTF_8));
        }

        private static void send(Response response, Callback callback, int status, String type, byte[] body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
