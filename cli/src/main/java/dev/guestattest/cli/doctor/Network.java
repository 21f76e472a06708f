// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import dev.guestattest.core.net.NetworkFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Whether a service guest-attest talks to can be reached: one TCP connect (no request), DNS and connect each bounded. */
final class Network {
    static final Duration LIMIT = Duration.ofSeconds(2);

    private Network() {
    }

    /**
     * A service to reach.
     *
     * @param check e.g. {@code network.broker}
     * @param what e.g. {@code broker}
     * @param source where the URL came from, e.g. {@code --broker}
     */
    record Target(String check, String what, URI uri, String source) {
        Target {
            Objects.requireNonNull(uri, "uri");
        }

        int port() {
            return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        }
    }

    static Finding check(Target t) {
        String host = t.uri().getHost();
        String address = host + ":" + t.port();
        String named = t.what() + " " + t.uri() + " (" + t.source() + ")";
        Optional<InetAddress> resolved;
        try {
            resolved = Bounded.<Optional<InetAddress>>within(LIMIT, "dns", () -> Optional.of(resolve(host)), Optional::empty);
        } catch (UncheckedIOException e) {
            return Finding.fail(t.check(), "cannot reach " + named + ": host " + host + " does not resolve",
                    "check the name and this machine's DNS (/etc/resolv.conf)");
        }
        if (resolved.isEmpty()) {
            return Finding.fail(t.check(), "cannot reach " + named + ": resolving " + host + " took over " + LIMIT.toSeconds() + " s",
                    "check this machine's DNS (/etc/resolv.conf)");
        }
        InetAddress ip = resolved.get();
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, t.port()), (int) LIMIT.toMillis());
        } catch (IOException e) {
            return Finding.fail(t.check(), "cannot reach " + named + ": TCP connect to " + address + (host.equals(ip.getHostAddress()) ? "" : " ("
                    + ip.getHostAddress() + ")") + " failed: " + NetworkFailures.describe(e), fix(t, e));
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        return Finding.ok(t.check(), named + ": TCP " + address + " accepts connections (" + ms + " ms)");
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fix(Target t, IOException e) {
        String firewall = "check firewalls and proxies between here and " + t.uri().getHost();
        if (e instanceof java.net.ConnectException && String.valueOf(e.getMessage()).contains("refused")) {
            return "nothing listens on port " + t.port() + ": start the " + t.what() + ", or correct " + t.source();
        }
        return firewall + ", or correct " + t.source();
    }
}
