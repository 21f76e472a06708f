// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;

/**
 * One row of the route table: a method ({@code *}: any), a path or, with {@code prefix}, a path
 * prefix whose rest the handler gets; the endpoint's name for metrics; whether the admin credential
 * is checked before the body is read; and the largest body taken.
 */
record Route(String method, String path, boolean prefix, String endpoint, boolean admin, int bodyLimit, Handler handler) {
    static final String ANY = "*";

    /** Serves one request; a refusal is thrown, as a {@link dev.guestattest.broker.BrokerException}. */
    @FunctionalInterface
    interface Handler {
        Reply handle(Call call);
    }

    /** A request as a handler sees it: the path's rest after a prefix, and a body that throws the refusal if it did not arrive. */
    record Call(Request request, String method, String rest, String client, Supplier<byte[]> body) {
    }

    /** What a handler answers; the auth step sets the session cookie. */
    record Reply(int status, String contentType, byte[] body, Optional<HttpCookie> cookie) {
        static Reply of(int status, String contentType, String body) {
            return new Reply(status, contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Optional.empty());
        }

        static Reply json(String body) {
            return of(200, "application/json", body);
        }

        Reply withCookie(HttpCookie c) {
            return new Reply(status, contentType, body, Optional.of(c));
        }
    }

    boolean matchesPath(String p) {
        return prefix ? p.startsWith(path) : p.equals(path);
    }

    boolean matches(String m, String p) {
        return (method.equals(ANY) || method.equals(m)) && matchesPath(p);
    }

    String rest(String p) {
        return prefix ? p.substring(path.length()) : "";
    }
}
