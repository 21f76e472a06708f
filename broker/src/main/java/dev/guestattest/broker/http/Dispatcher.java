// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import dev.guestattest.broker.AdminJwt;
import dev.guestattest.broker.Broker;
import dev.guestattest.broker.BrokerException;
import dev.guestattest.broker.Refusal;
import dev.guestattest.broker.Unexpected;
import dev.guestattest.broker.wire.ErrorBody;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.mr.HashAlgorithm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's one handler: finds the route, turns a caller without the admin credential away before
 * reading its body, reads the body without holding the thread, runs the route (an admin route's
 * refusals audited as admin calls), answers refusals as JSON {@code {"type", "detail"}} (and
 * {@code "checks"}, the failed checks' names, when checks decided it) with their status (never a
 * stack trace), and counts every request.
 */
final class Dispatcher extends Handler.Abstract {
    private static final System.Logger LOG = System.getLogger("dev.guestattest.broker");
    private static final String ERROR_TYPE = "https://guestattest.dev/broker/errors/";
    private final Broker broker;
    private final Routes routes;
    private final byte[] adminDigest;

    /** One request: what it is answered with, and who asked. */
    private record Exchange(Request request, Response response, Callback callback, String method, String path, String client, String endpoint) {
    }

    Dispatcher(Broker broker, byte[] adminDigest) {
        super(InvocationType.BLOCKING);
        this.broker = broker;
        this.routes = new Routes(broker);
        this.adminDigest = adminDigest;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        Optional<Route> route = routes.find(method, path);
        Optional<Route> named = route.or(() -> routes.anyOn(path));
        boolean admin = named.map(Route::admin).orElse(false);
        Exchange x = new Exchange(request, response, callback, method, path, Request.getRemoteAddr(request),
                named.map(Route::endpoint).orElse("other"));
        if (admin) {
            try {
                broker.admin().admit(adminCredential(request), x.client());
            } catch (RuntimeException refused) {
                if (method.equals("POST") || method.equals("PUT")) {
                    // turned away before its body is read: a connection kept alive would hand the unread body to the
                    // next request (the client's pool saw it as "no bytes" on reuse: a flaky AbuseTest on CI)
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                }
                answer(x, () -> {
                    throw refused;
                });
                return true;
            }
        }
        if (method.equals("POST") || method.equals("PUT")) {
            int limit = route.map(Route::bodyLimit).filter(n -> n > 0).orElse(broker.config().maxBodyBytes());
            BodyReader.read(request, broker.config(), limit, body -> answer(x, () -> serve(x, route, admin, body)));
        } else {
            answer(x, () -> serve(x, route, admin, () -> new byte[0]));
        }
        return true;
    }

    private Route.Reply serve(Exchange x, Optional<Route> route, boolean admin, Supplier<byte[]> body) {
        Route.Call call = new Route.Call(x.request(), x.method(), route.map(r -> r.rest(x.path())).orElse(""), x.client(), body);
        Supplier<Route.Reply> run = () -> route.orElseThrow(() -> new BrokerException(Refusal.NOT_FOUND, x.method() + " " + x.path()
                + (admin ? " is not an admin endpoint" : " is not a broker endpoint"))).handler().handle(call);
        return admin ? broker.admin().run(x.client(), run) : run.get();
    }

    /** Runs {@code work} and sends its reply, or answers what it threw; counts the request either way. */
    private void answer(Exchange x, Supplier<Route.Reply> work) {
        int status;
        try {
            status = send(x, work.get());
        } catch (BrokerException e) {
            status = error(x, HttpStatuses.of(e.refusal()), e.getMessage(), e.checks());
        } catch (AttestationException e) {
            Refusal r = Refusal.of(e);
            if (r != Refusal.UNAVAILABLE) {
                status = error(x, HttpStatuses.of(r), e.getMessage(), List.of());
            } else {
                // the store's own words stay in the broker's log: they name tables and hosts
                LOG.log(System.Logger.Level.ERROR, "broker: " + x.method() + " " + x.endpoint() + ": " + e.getMessage());
                status = error(x, HttpStatuses.of(r), "the broker cannot serve this now (its store is unavailable); retry later", List.of());
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // a bug of the broker's own: where it was thrown, but not its message, which may quote the request
            LOG.log(System.Logger.Level.WARNING, "broker: " + x.method() + " " + x.endpoint() + " failed: " + Unexpected.where(e));
            LOG.log(System.Logger.Level.DEBUG, "broker: " + x.method() + " " + x.endpoint() + " failed", e);
            status = error(x, HttpStatuses.INTERNAL, "internal error; the broker's log has the details", List.of());
        }
        broker.metrics().countRequest(x.endpoint(), status);
    }

    private boolean adminCredential(Request request) {
        Optional<String> token = Routes.bearer(request);
        return token.isPresent() && (MessageDigest.isEqual(HashAlgorithm.SHA256.hash(token.get().getBytes(StandardCharsets.UTF_8)), adminDigest)
                || AdminJwt.valid(token.get(), broker.config().adminJwtKeys(), System.currentTimeMillis()));
    }

    private static int error(Exchange x, int status, String detail, List<String> checks) {
        if (status == 408 || status == 413) {
            // the rest of the body is not read: the connection cannot carry another request
            x.response().getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        return send(x, error(status, detail, checks));
    }

    /** A refusal's answer: Trustee's {@code {type, detail}}, with the names of the checks that failed when there are some. */
    static Route.Reply error(int status, String detail, List<String> checks) {
        return Route.Reply.of(status, "application/json", new ErrorBody(ERROR_TYPE + HttpStatuses.kind(status), detail, checks).toJson().toString());
    }

    private static int send(Exchange x, Route.Reply reply) {
        Response response = x.response();
        reply.cookie().ifPresent(c -> Response.addCookie(response, c));
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(reply.body()), x.callback());
        return reply.status();
    }
}
