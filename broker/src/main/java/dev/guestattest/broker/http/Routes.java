// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerAdmin;
import dev.guestattest.broker.BrokerException;
import dev.guestattest.broker.Refusal;
import dev.guestattest.broker.store.Audit;
import dev.guestattest.broker.wire.Protocol;
import dev.guestattest.broker.wire.TokenResponse;
import dev.guestattest.core.pki.Pem;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The broker's route table: Trustee's KBS paths under {@code /kbs/v0}, the admin paths (the admin
 * credential, {@code Authorization: Bearer <admin token>} or an admin JWT: resources, the policies,
 * the reference values, the audit), {@code POST /appraise}, {@code /metrics} and {@code /healthz}.
 * First match wins; the last resource row turns any other method on a
 * resource away as an admin call.
 */
final class Routes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin";
    private final Broker broker;
    private final List<Route> table;

    Routes(Broker broker) {
        this.broker = broker;
        int body = broker.config().maxBodyBytes();
        BrokerAdmin admin = broker.admin();
        this.table = List.of(
                new Route("POST", Protocol.AUTH, false, "auth", false, body, this::auth),
                new Route("POST", Protocol.ATTEST, false, "attest", false, body, this::attest),
                new Route("GET", Protocol.RESOURCE, true, "resource", false, 0, this::release),
                new Route("POST", Protocol.RESOURCE, true, ADMIN, true, body, this::putResource),
                new Route("PUT", Protocol.RESOURCE, true, ADMIN, true, body, this::putResource),
                new Route("DELETE", Protocol.RESOURCE, true, ADMIN, true, 0, c -> admin.deleteResource(c.rest(), c.client())
                        ? Route.Reply.json("{}") : Dispatcher.error(404, "no resource " + c.rest() + " to delete", List.of())),
                new Route(Route.ANY, Protocol.RESOURCE, true, ADMIN, true, 0, c -> {
                    throw new BrokerException(Refusal.METHOD_NOT_ALLOWED, c.method() + " is not allowed on resources (GET; admin: POST, DELETE)");
                }),
                // the stored resources by path: never their bytes
                new Route("GET", Protocol.PREFIX + "resources", false, ADMIN, true, 0, c -> {
                    ObjectNode n = JSON.createObjectNode();
                    admin.resourcePaths().forEach(n.putArray("resources")::add);
                    return Route.Reply.json(n.toString());
                }),
                new Route("POST", Protocol.PREFIX + "attestation-policy", false, ADMIN, true, body,
                        c -> Route.Reply.json(JSON.createObjectNode().put("id", admin.setAttestationPolicy(c.body().get(), c.client())).toString())),
                new Route("GET", Protocol.PREFIX + "attestation-policy", false, ADMIN, true, 0, c -> document(admin.attestationPolicy(),
                        "no attestation policy is set; nothing is appraised or released until one is")),
                new Route("POST", Protocol.PREFIX + "resource-policy", false, ADMIN, true, body, c -> {
                    admin.setResourcePolicy(c.body().get(), c.client());
                    return Route.Reply.json("{}");
                }),
                // as Trustee's KBS answers it, but the document as it was set rather than base64 of it
                new Route("GET", Protocol.PREFIX + "resource-policy", false, ADMIN, true, 0, c -> document(admin.resourcePolicy(),
                        "no resource policy is set; the default applies (affirming results read every resource)")),
                new Route("POST", Protocol.PREFIX + "reference-value", false, ADMIN, true, body, c -> {
                    admin.setReferenceValues(c.body().get(), c.client());
                    return Route.Reply.json("{}");
                }),
                new Route("GET", Protocol.PREFIX + "audit", false, ADMIN, true, 0, c -> Route.Reply.json(auditJson(admin.audit(query(c.request()))))),
                new Route("GET", Protocol.PREFIX + "token-key", false, "token-key", false, 0,
                        c -> Route.Reply.of(200, "application/x-pem-file", Pem.encode("PUBLIC KEY", broker.tokenPublicKey().getEncoded()))),
                // the same key as a JWK Set, for relying parties that look it up by kid (Trustee's trusted_jwk_sets)
                new Route("GET", Protocol.PREFIX + "token-jwks", false, "token-jwks", false, 0,
                        c -> Route.Reply.of(200, "application/jwk-set+json", broker.tokenJwks())),
                new Route("POST", "/appraise", false, "appraise", false, body,
                        c -> Route.Reply.json(broker.appraise(c.body().get(), c.client()).toString())),
                new Route("GET", "/metrics", false, "metrics", false, 0,
                        c -> new Route.Reply(200, "text/plain; version=0.0.4; charset=utf-8", broker.metrics().scrape(), Optional.empty())),
                new Route("GET", "/healthz", false, "healthz", false, 0, c -> {
                    broker.admin().resourcePaths(); // the store answers
                    return Route.Reply.json("{\"status\":\"ok\"}");
                }));
    }

    /** The route for {@code method} on {@code path}, if any. */
    Optional<Route> find(String method, String path) {
        return table.stream().filter(r -> r.matches(method, path)).findFirst();
    }

    /** The first route on {@code path} whatever its method: what names a request with the wrong method. */
    Optional<Route> anyOn(String path) {
        return table.stream().filter(r -> r.matchesPath(path)).findFirst();
    }

    private Route.Reply auth(Route.Call c) {
        Broker.Opened o = broker.auth(c.body().get(), c.client());
        HttpCookie cookie = HttpCookie.build(Protocol.COOKIE, o.sessionId()).path("/kbs").httpOnly(true)
                .maxAge(broker.config().cookieMaxAge().toSeconds()).build();
        return Route.Reply.json(o.challenge().toJson().toString()).withCookie(cookie);
    }

    private Route.Reply attest(Route.Call c) {
        // the body is handed over unread: one that never arrived is a failed attempt too, and spends the nonce
        String token = broker.attest(cookie(c.request()), c.body(), c.client());
        return Route.Reply.json(new TokenResponse(token).toJson().toString());
    }

    private Route.Reply release(Route.Call c) {
        return Route.Reply.json(broker.release(new Broker.Credential(cookie(c.request()), bearer(c.request())), c.rest(), c.client()));
    }

    private Route.Reply putResource(Route.Call c) {
        broker.admin().putResource(c.rest(), c.body().get(), c.client());
        return Route.Reply.json("{}");
    }

    static Optional<String> bearer(Request request) {
        String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? Optional.of(h.substring(7).trim()) : Optional.empty();
    }

    private static Optional<String> cookie(Request request) {
        return Request.getCookies(request).stream().filter(c -> c.getName().equals(Protocol.COOKIE)).map(HttpCookie::getValue).findFirst();
    }

    /** The entries as an array of {@link Audit.Entry#toJson} objects, newest last. */
    private static String auditJson(List<Audit.Entry> entries) {
        ArrayNode a = JSON.createArrayNode();
        entries.forEach(e -> a.add(e.toJson()));
        return a.toString();
    }

    /** A stored document as it was set (JSON or YAML, as given), or a 404 saying what holds instead. */
    private static Route.Reply document(Optional<byte[]> stored, String none) {
        if (stored.isEmpty()) {
            return Dispatcher.error(404, none, List.of());
        }
        byte[] d = stored.get();
        int i = 0;
        while (i < d.length && Character.isWhitespace(d[i])) {
            i++;
        }
        return new Route.Reply(200, i < d.length && d[i] == '{' ? "application/json" : "application/yaml", d, Optional.empty());
    }

    /** {@code ?since=ISO-8601-INSTANT&outcome=DECISION&limit=N} (each optional; limit 100 unless given); any other parameter is refused. */
    static Audit.Query query(Request request) {
        Optional<Instant> since = Optional.empty();
        Optional<Audit.Decision> outcome = Optional.empty();
        int limit = 100;
        String q = Optional.ofNullable(request.getHttpURI().getQuery()).orElse("");
        for (String kv : q.split("&")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            String name = eq < 0 ? kv : kv.substring(0, eq);
            String value = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            switch (name) {
                case "since" -> {
                    try {
                        since = Optional.of(Instant.parse(value));
                    } catch (DateTimeParseException e) {
                        throw new BrokerException(Refusal.BAD_REQUEST, "since: '" + value
                                + "' is not an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z)");
                    }
                }
                case "outcome" -> outcome = Optional.of(Audit.Decision.parse(value));
                case "limit" -> {
                    try {
                        limit = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new BrokerException(Refusal.BAD_REQUEST, "limit must be a number");
                    }
                }
                default -> throw new BrokerException(Refusal.BAD_REQUEST, "audit: unknown parameter '" + name + "' (since, outcome, limit)");
            }
        }
        return new Audit.Query(since, outcome, limit);
    }
}
