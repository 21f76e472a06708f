// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.net;

import dev.guestattest.core.AttestationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The HTTP proxies the environment names, read as curl reads them, for every HTTP client of this
 * project ({@code HttpClient.Builder.proxy(EnvironmentProxies.fromEnvironment())}):
 * {@code https_proxy}/{@code HTTPS_PROXY} for {@code https://} URLs, {@code http_proxy}/{@code HTTP_PROXY}
 * for {@code http://} ones (the lower-case name first), each {@code [http://]host[:port]} (port 1080 when
 * none, as curl assumes). {@code no_proxy}/{@code NO_PROXY} lists the hosts reached directly, separated by
 * commas or spaces: {@code *} (every host), a name (that host and every host under it; a leading
 * {@code .} or {@code *.} is ignored, so {@code .example.com} and {@code example.com} both match
 * {@code example.com} and {@code a.example.com}, never {@code notexample.com}), an IP address or CIDR
 * block (matched against IP literals only: no name is resolved to decide), each optionally
 * {@code :port} (then only that port; IPv6 with a port as {@code [::1]:8080}). Loopback
 * ({@code localhost}, {@code *.localhost}, 127.0.0.0/8, ::1) is always reached directly: a proxy's
 * loopback is not this machine's, and the admin token would travel to the proxy for nothing.
 * Where the environment names no proxy for a scheme, the JDK's own selector decides (the
 * {@code https.proxyHost} system properties), as before, for the hosts NO_PROXY and loopback leave to it.
 *
 * <p>The JDK's HTTP client speaks to HTTP proxies only (a {@code CONNECT} tunnel for {@code https://}):
 * a {@code socks5://} or {@code https://} proxy, or one with credentials in its URL, is refused by the
 * variable's name rather than silently bypassed; the refusal never repeats the credentials.
 */
public final class EnvironmentProxies extends ProxySelector {
    private static final int CURL_DEFAULT_PORT = 1080;
    private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");
    private static final List<Proxy> DIRECT = List.of(Proxy.NO_PROXY);

    private final Optional<Named> http;
    private final Optional<Named> https;
    private final List<Exclusion> noProxy;
    private final Optional<ProxySelector> fallback;

    /** A proxy and the variable that named it. */
    private record Named(String variable, InetSocketAddress address) {
    }

    /** One entry of NO_PROXY: every host, a domain, or an address block; on any port or one. */
    private record Exclusion(boolean all, Optional<String> domain, Optional<byte[]> network, int prefixBits, int port) {
        boolean matches(String host, Optional<byte[]> address, int hostPort) {
            if (port > 0 && port != hostPort) {
                return false;
            }
            if (all) {
                return true;
            }
            if (domain.isPresent()) {
                String d = domain.get();
                return address.isEmpty() && (host.equals(d) || host.endsWith("." + d));
            }
            return address.isPresent() && within(address.get(), network.orElseThrow(), prefixBits);
        }
    }

    private EnvironmentProxies(Optional<Named> http, Optional<Named> https, List<Exclusion> noProxy, Optional<ProxySelector> fallback) {
        this.http = http;
        this.https = https;
        this.noProxy = List.copyOf(noProxy);
        this.fallback = fallback;
    }

    /** This process's environment, with the JDK's default selector where it names no proxy. */
    public static EnvironmentProxies fromEnvironment() {
        return of(System.getenv(), Optional.ofNullable(ProxySelector.getDefault()));
    }

    /** The proxies {@code env} names (a map of variables), and nothing else: what tests pin down. */
    public static EnvironmentProxies of(Map<String, String> env) {
        return of(env, Optional.empty());
    }

    private static EnvironmentProxies of(Map<String, String> env, Optional<ProxySelector> fallback) {
        return new EnvironmentProxies(proxy(env, "http_proxy", "HTTP_PROXY"), proxy(env, "https_proxy", "HTTPS_PROXY"),
                exclusions(first(env, "no_proxy", "NO_PROXY").map(v -> v.getValue()).orElse("")), fallback);
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("uri is null");
        }
        if (uri.getHost() == null || direct(uri)) {
            return DIRECT;
        }
        Optional<Named> p = forScheme(uri);
        if (p.isPresent()) {
            return List.of(new Proxy(Proxy.Type.HTTP, p.get().address()));
        }
        return fallback.map(f -> f.select(uri)).filter(l -> !l.isEmpty()).orElse(DIRECT);
    }

    /** The proxy a request to {@code uri} goes through, when the environment names one for it (for messages that say so). */
    public Optional<InetSocketAddress> proxyFor(URI uri) {
        return uri.getHost() == null || direct(uri) ? Optional.empty() : forScheme(uri).map(Named::address);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress proxy, IOException failure) {
        // nothing to try instead: the client reports the failure, naming the proxy
    }

    private Optional<Named> forScheme(URI uri) {
        return switch (Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT)) {
            case "https", "wss" -> https;
            case "http", "ws" -> http;
            default -> Optional.empty();
        };
    }

    private boolean direct(URI uri) {
        String host = host(uri.getHost());
        Optional<byte[]> address = literal(host);
        if (loopback(host, address)) {
            return true;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : switch (Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT)) {
            case "https", "wss" -> 443;
            default -> 80;
        };
        return noProxy.stream().anyMatch(e -> e.matches(host, address, port));
    }

    private static boolean loopback(String host, Optional<byte[]> address) {
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        return address.map(a -> {
            try {
                return InetAddress.getByAddress(a).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }).orElse(false);
    }

    /** A host as compared: lower case, without IPv6 brackets or a trailing dot. */
    private static String host(String h) {
        String s = h.toLowerCase(Locale.ROOT);
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** The bytes of an IPv4 or IPv6 literal; empty for a name (never resolved). IPv4-mapped IPv6 reads as IPv4. */
    private static Optional<byte[]> literal(String host) {
        boolean v4 = host.matches("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
        boolean v6 = host.indexOf(':') >= 0 && host.matches("[0-9a-f:.]+(%.+)?");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            // only a well-formed literal gets here, which InetAddress parses without a lookup (an IPv6 one with a colon never resolves)
            return Optional.of(InetAddress.getByName(v6 ? host.replaceFirst("%.*$", "") : host).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean within(byte[] address, byte[] network, int bits) {
        if (address.length != network.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Map.Entry<String, String>> first(Map<String, String> env, String lower, String upper) {
        for (String name : List.of(lower, upper)) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return Optional.of(Map.entry(name, v.strip()));
            }
        }
        return Optional.empty();
    }

    private static Optional<Named> proxy(Map<String, String> env, String lower, String upper) {
        Optional<Map.Entry<String, String>> v = first(env, lower, upper);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String variable = v.get().getKey();
        String value = v.get().getValue();
        URI u;
        try {
            u = new URI(value.contains("://") ? value : "http://" + value);
        } catch (URISyntaxException e) {
            throw AttestationException.invalid(variable, "is not a proxy URL ([http://]host[:port])");
        }
        if (!"http".equalsIgnoreCase(u.getScheme())) {
            throw AttestationException.invalid(variable, "names a " + u.getScheme() + ":// proxy; only http:// proxies are supported (the JDK's"
                    + " HTTP client tunnels https:// through them with CONNECT)");
        }
        if (u.getRawUserInfo() != null) {
            throw AttestationException.invalid(variable, "carries credentials (user:password@); proxy authentication is not supported");
        }
        if (u.getHost() == null || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                || u.getRawQuery() != null) {
            throw AttestationException.invalid(variable, "is not a proxy URL ([http://]host[:port])");
        }
        return Optional.of(new Named(variable, InetSocketAddress.createUnresolved(host(u.getHost()), u.getPort() > 0 ? u.getPort()
                : CURL_DEFAULT_PORT)));
    }

    private static List<Exclusion> exclusions(String value) {
        List<Exclusion> out = new ArrayList<>();
        for (String raw : SEPARATORS.split(value.strip())) {
            String entry = raw.toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                out.add(new Exclusion(true, Optional.empty(), Optional.empty(), 0, 0));
                continue;
            }
            int port = 0;
            String host = entry;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    continue; // unreadable: matches nothing, as curl ignores what it cannot read
                }
                host = entry.substring(1, close);
                String rest = entry.substring(close + 1);
                if (rest.startsWith(":")) {
                    port = port(rest.substring(1));
                }
            } else if (entry.indexOf(':') == entry.lastIndexOf(':') && entry.indexOf(':') > 0) {
                // one colon: host:port (more than one: a bare IPv6 address, which takes no port)
                port = port(entry.substring(entry.indexOf(':') + 1));
                host = entry.substring(0, entry.indexOf(':'));
            }
            if (port < 0) {
                continue;
            }
            int bits = -1;
            int slash = host.indexOf('/');
            if (slash > 0) {
                try {
                    bits = Integer.parseInt(host.substring(slash + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                host = host.substring(0, slash);
            }
            Optional<byte[]> address = literal(host(host));
            if (address.isPresent()) {
                int max = address.get().length * 8;
                if (bits > max) {
                    continue;
                }
                out.add(new Exclusion(false, Optional.empty(), address, bits < 0 ? max : bits, port));
            } else if (bits < 0) {
                String domain = host(host.startsWith("*.") ? host.substring(2) : host.startsWith(".") ? host.substring(1) : host);
                if (!domain.isEmpty()) {
                    out.add(new Exclusion(false, Optional.of(domain), Optional.empty(), 0, port));
                }
            }
        }
        return out;
    }

    /** A port in 1..65535, or -1 when the text is none. */
    private static int port(String text) {
        try {
            int p = Integer.parseInt(text);
            return p >= 1 && p <= 65_535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return "EnvironmentProxies[http=" + http.map(n -> n.variable() + " " + n.address()).orElse("none") + ", https="
                + https.map(n -> n.variable() + " " + n.address()).orElse("none") + ", no_proxy entries=" + noProxy.size() + "]";
    }
}
