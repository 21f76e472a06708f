// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.fetch;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bounded HTTP GETs for collateral services (Intel PCS, AMD KDS): a timeout on connect and on the
 * whole request, no redirects, a cap on the body, and typed errors for the network. Status codes
 * are the caller's to judge.
 */
public final class HttpFetch {
    private final Duration timeout;
    private final int maxBody;
    /** Made on the first fetch: a client costs its TLS context (a few hundred ms cold), which a cache hit never needs. */
    private volatile HttpClient http;

    public HttpFetch(Duration timeout, int maxBody) {
        this.timeout = timeout;
        this.maxBody = maxBody;
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                c = http;
                if (c == null) {
                    // the environment's proxies (HTTPS_PROXY, NO_PROXY, ...), as every HTTP client of this project honours them
                    c = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                            .proxy(dev.guestattest.core.net.EnvironmentProxies.fromEnvironment()).build();
                    http = c;
                }
            }
        }
        return c;
    }

    /** A response: status, body (at most the cap) and headers. */
    public record Response(URI uri, int status, byte[] body, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .flatMap(e -> e.getValue().stream().findFirst());
        }
    }

    /** What went wrong on the network, in words: the JDK often leaves the message of a failed connect empty. */
    static String cause(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "the host name does not resolve";
            }
            if (t instanceof java.net.ConnectException && t.getMessage() != null) {
                return "connection refused (" + t.getMessage() + ")";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    public Response get(URI uri) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> r = client().send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                byte[] body = in.readNBytes(maxBody + 1);
                if (body.length > maxBody) {
                    throw AttestationException.tooLarge("response from " + uri, body.length, maxBody);
                }
                return new Response(uri, r.statusCode(), body, r.headers().map());
            }
        } catch (HttpTimeoutException e) {
            throw AttestationException.of(Reason.TIMEOUT, uri + " did not answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot fetch " + uri + ": " + cause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted fetching " + uri);
        }
    }
}
