// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The emulators' collateral services ({@link EmulatedService}: Intel PCS, AMD KDS) on one plain
 * HTTP listener, on the JDK's own server so nothing is added to the classpath. GET only; the first
 * service that claims a path answers it. {@link Faults} make it misbehave as the real services do
 * (throttling, a corrupted signed document), switchable while it runs.
 */
public final class EmulatedServer implements AutoCloseable {
    /** Enough for a verifier's few parallel fetches; a loopback test service needs no more. */
    private static final int THREADS = 4;
    /** The marker of a TDX TCB Info response; the tamper fault corrupts only those. */
    private static final String TCB_INFO_BODY = "{\"tcbInfo\":";
    private static final String TAMPERED_FIELD = "\"tcbEvaluationDataNumber\":";
    /** The JDK server's switch for TCP_NODELAY on its connections, read once when its first server starts. */
    private static final String NODELAY = "sun.net.httpserver.nodelay";

    /**
     * What the server does wrong, for testing clients: the first {@code throttleFirst} requests
     * (counted from when the faults are set) answered {@code 429} with {@code Retry-After:
     * retryAfterSeconds}, as KDS throttles; with {@code tamperTcbInfo}, one digit inside every TCB
     * Info's signed object changed (its {@code tcbEvaluationDataNumber}), so the signature no
     * longer verifies while the JSON still parses; every answer {@code delayMillis} late.
     */
    public record Faults(int throttleFirst, int retryAfterSeconds, boolean tamperTcbInfo, int delayMillis) {
        public Faults {
            if (delayMillis < 0 || delayMillis > 60_000) {
                throw AttestationException.invalid("delay", delayMillis + " is outside 0..60000 ms");
            }
            if (throttleFirst < 0) {
                throw AttestationException.invalid("throttled requests", throttleFirst + " is negative");
            }
            if (retryAfterSeconds < 0 || retryAfterSeconds > 86_400) {
                throw AttestationException.invalid("Retry-After", retryAfterSeconds + " is outside 0..86400 seconds");
            }
        }

        public static Faults none() {
            return new Faults(0, 0, false, 0);
        }

        public static Faults throttled(int requests, int retryAfterSeconds) {
            return new Faults(requests, retryAfterSeconds, false, 0);
        }

        public static Faults tamperingTcbInfo() {
            return new Faults(0, 0, true, 0);
        }

        /** Every answer {@code millis} late, as a distant service is: concurrent clients overlap. */
        public static Faults slow(int millis) {
            return new Faults(0, 0, false, millis);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<EmulatedService> services;
    private final Consumer<String> log;
    private final URI uri;
    private final AtomicReference<Faults> faults = new AtomicReference<>();
    private final AtomicInteger throttleLeft = new AtomicInteger();
    private final Map<String, LongAdder> answered = new ConcurrentHashMap<>();

    private EmulatedServer(HttpServer server, ExecutorService executor, List<EmulatedService> services, Faults faults,
                           Consumer<String> log, URI uri) {
        this.server = server;
        this.executor = executor;
        this.services = services;
        this.log = log;
        this.uri = uri;
        setFaults(faults);
    }

    /** Listens on {@code host}:{@code port} (0: any free port) and serves {@code services}; each request is logged as one line. */
    public static EmulatedServer start(String host, int port, List<EmulatedService> services, Faults faults, Consumer<String> log) {
        // the JDK server writes a response's headers and body as two segments: without TCP_NODELAY each
        // response waits out the client's delayed ACK (40 ms on Linux), which real PCS and KDS do not cost
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        if (port < 0 || port > 65_535) {
            throw AttestationException.invalid("port", port + " is outside 0..65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw AttestationException.invalid("host", "'" + host + "' does not resolve");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "emulated-server-" + n.incrementAndGet());
            t.setDaemon(true); // never keeps a JVM alive on its own
            return t;
        });
        URI uri;
        try {
            uri = new URI("http", null, host, server.getAddress().getPort(), null, null, null);
        } catch (URISyntaxException e) {
            server.stop(0);
            executor.shutdownNow();
            throw AttestationException.invalid("host", "'" + host + "' cannot be part of a URL: " + e.getMessage());
        }
        EmulatedServer s = new EmulatedServer(server, executor, List.copyOf(services), faults, log, uri);
        server.createContext("/", s::handle);
        server.setExecutor(executor);
        server.start();
        return s;
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:41234}: the base URL of every service it hosts. */
    public URI uri() {
        return uri;
    }

    /** Replaces the faults; a throttle counts its requests from now. */
    public void setFaults(Faults f) {
        faults.set(f);
        throttleLeft.set(f.throttleFirst());
    }

    /** How many GETs of paths starting with {@code pathPrefix} were answered so far, whatever their status. */
    public int requests(String pathPrefix) {
        return answered.entrySet().stream().filter(e -> e.getKey().startsWith(pathPrefix)).mapToInt(e -> e.getValue().intValue()).sum();
    }

    /** Stops listening at once and ends the worker threads (within a second). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange x) throws IOException {
        String method = x.getRequestMethod();
        String rawPath = x.getRequestURI().getRawPath();
        String rawQuery = x.getRequestURI().getRawQuery();
        ServedDocument d;
        String failure = "";
        try {
            d = answer(method, x.getRequestURI().getPath(), rawQuery);
        } catch (RuntimeException e) {
            failure = String.valueOf(e).replaceAll("[\\r\\n]+", " "); // a header value must stay on one line
            d = new ServedDocument(500, Map.of("Error-Code", "InternalError", "Error-Message", failure), new byte[0]);
        }
        byte[] body = d.body();
        // logged before it is sent, so a client that has its answer finds the line
        log.accept(method + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery) + " -> " + d.status() + " (" + body.length + " bytes)"
                + (failure.isEmpty() ? "" : ": " + failure));
        d.headers().forEach(x.getResponseHeaders()::add);
        try (x) {
            x.sendResponseHeaders(d.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                x.getResponseBody().write(body);
            }
        }
    }

    private ServedDocument answer(String method, String path, String rawQuery) {
        if (!method.equals("GET")) {
            return new ServedDocument(405, Map.of("Allow", "GET"), new byte[0]);
        }
        answered.computeIfAbsent(path, p -> new LongAdder()).increment();
        Faults f = faults.get();
        if (f.delayMillis() > 0) {
            try {
                Thread.sleep(f.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ServedDocument(503, Map.of(), new byte[0]);
            }
        }
        if (throttleLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new ServedDocument(429, Map.of("Retry-After", Integer.toString(f.retryAfterSeconds())), new byte[0]);
        }
        Map<String, String> query = query(rawQuery);
        for (EmulatedService s : services) {
            Optional<ServedDocument> d = s.get(path, query);
            if (d.isPresent()) {
                return f.tamperTcbInfo() ? tamper(d.get()) : d.get();
            }
        }
        return ServedDocument.notFound("no such path: " + path);
    }

    /** name=value pairs, URL-decoded; a name without '=' has an empty value; the first of repeated names counts. */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * The last digit of a TCB Info's tcbEvaluationDataNumber changed: inside the signed object, and
     * still a number without a leading zero, so the JSON parses and only the signature fails.
     */
    static ServedDocument tamper(ServedDocument d) {
        String body = new String(d.body(), StandardCharsets.UTF_8);
        int at = body.indexOf(TAMPERED_FIELD);
        if (d.status() != 200 || !body.startsWith(TCB_INFO_BODY) || at < 0) {
            return d;
        }
        int end = at + TAMPERED_FIELD.length();
        while (end < body.length() && Character.isDigit(body.charAt(end))) {
            end++;
        }
        if (end == at + TAMPERED_FIELD.length()) {
            return d;
        }
        int digit = end - 1;
        char changed = (char) ('0' + (body.charAt(digit) - '0' + 1) % 10);
        String tampered = body.substring(0, digit) + changed + body.substring(digit + 1);
        return new ServedDocument(d.status(), d.headers(), tampered.getBytes(StandardCharsets.UTF_8));
    }
}
