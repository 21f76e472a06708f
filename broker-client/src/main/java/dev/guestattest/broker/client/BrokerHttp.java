// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.client;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.net.EnvironmentProxies;
import dev.guestattest.core.net.NetworkFailures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How every caller of a broker (a guest's {@link KbsClient}, the CLI's admin commands) reaches it:
 * HTTP/1.1, no redirects, a bounded connect, the caller's TLS trust, the proxies the environment
 * names ({@link EnvironmentProxies}); and what a failure to reach it says: the host and port, the
 * proxy when there is one, and the failure's own type and words (the JDK's often has no message, and
 * "cannot be reached: null" helped nobody).
 */
public final class BrokerHttp {
    private BrokerHttp() {
    }

    /** A client over {@code tls} (none: the JDK's CAs) through {@code proxies}. */
    public static HttpClient client(Duration connectTimeout, Optional<SSLContext> tls, EnvironmentProxies proxies) {
        // no worker pool: the client's hand-offs between its worker and selector threads were half a guest's CPU per
        // release; the body handlers used with it never block
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run)
                .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).proxy(proxies);
        tls.ifPresent(b::sslContext);
        return b.build();
    }

    /**
     * {@code what} could not reach {@code uri}: "HOST:PORT cannot be reached [via proxy P] (Type:
     * message)", an I/O error (exit 3), or a timeout when it was one.
     */
    public static AttestationException unreachable(String what, URI uri, IOException e, EnvironmentProxies proxies) {
        String via = proxies.proxyFor(uri).map(p -> " via proxy " + p.getHostString() + ":" + p.getPort()).orElse("");
        if (e instanceof HttpTimeoutException) {
            return AttestationException.of(Reason.TIMEOUT, what + ": " + endpoint(uri) + via + " did not answer in time (" + NetworkFailures.describe(e) + ")");
        }
        return AttestationException.of(Reason.IO_ERROR, what + ": " + endpoint(uri) + " cannot be reached" + via + " (" + NetworkFailures.describe(e) + ")");
    }

    /** {@code host:port}, the port spelled out even when the URL leaves it to the scheme. */
    static String endpoint(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
