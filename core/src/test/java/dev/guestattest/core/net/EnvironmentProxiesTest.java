// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The environment's proxies as curl reads them ({@link EnvironmentProxies}, core's, tested here where
 * its users are): which variable serves which scheme, and which hosts NO_PROXY sends direct.
 */
class EnvironmentProxiesTest {
    private static final Map<String, String> PROXIES = Map.of("https_proxy", "http://proxy.corp:3128", "http_proxy", "proxy.corp");

    private static String via(EnvironmentProxies p, String url) {
        List<Proxy> l = p.select(URI.create(url));
        assertThat(l).hasSize(1);
        if (l.get(0).type() == Proxy.Type.DIRECT) {
            return "direct";
        }
        InetSocketAddress a = (InetSocketAddress) l.get(0).address();
        return a.getHostString() + ":" + a.getPort();
    }

    private static EnvironmentProxies with(String noProxy) {
        Map<String, String> env = new HashMap<>(PROXIES);
        env.put("NO_PROXY", noProxy);
        return EnvironmentProxies.of(env);
    }

    @Test
    void eachSchemeGoesThroughItsOwnVariablesProxy() {
        EnvironmentProxies p = EnvironmentProxies.of(PROXIES);
        assertThat(via(p, "https://kbs.example:8443/kbs/v0/auth")).isEqualTo("proxy.corp:3128");
        assertThat(via(p, "http://kbs.example/kbs/v0/auth")).as("no port: 1080, as curl assumes").isEqualTo("proxy.corp:1080");
        assertThat(p.proxyFor(URI.create("https://kbs.example/"))).map(InetSocketAddress::getPort).contains(3128);
        assertThat(via(EnvironmentProxies.of(Map.of("HTTPS_PROXY", "http://upper:1")), "https://kbs.example/")).isEqualTo("upper:1");
        assertThat(via(EnvironmentProxies.of(Map.of("https_proxy", "http://lower:2", "HTTPS_PROXY", "http://upper:1")), "https://kbs.example/"))
                .as("the lower-case name first, as curl").isEqualTo("lower:2");
        assertThat(via(EnvironmentProxies.of(Map.of("https_proxy", "http://only-https:1")), "http://kbs.example/")).isEqualTo("direct");
        assertThat(via(EnvironmentProxies.of(Map.of()), "https://kbs.example/")).isEqualTo("direct");
        assertThat(via(EnvironmentProxies.of(Map.of("https_proxy", "  ")), "https://kbs.example/")).as("blank: none").isEqualTo("direct");
    }

    @ParameterizedTest(name = "NO_PROXY={0}: {1} goes {2}")
    @CsvSource(delimiter = '|', value = {
        "*|https://kbs.example/|direct",
        "example.com|https://example.com/|direct",
        "example.com|https://kbs.example.com/|direct",
        "example.com|https://KBS.Example.COM./|direct",
        "example.com|https://notexample.com/|proxy.corp:3128",
        "example.com|https://example.com.evil/|proxy.corp:3128",
        ".example.com|https://example.com/|direct",
        ".example.com|https://a.b.example.com/|direct",
        "*.example.com|https://a.example.com/|direct",
        "other.org, example.com|https://kbs.example.com/|direct",
        "other.org example.com|https://kbs.example.com/|direct",
        "kbs.example.com:8443|https://kbs.example.com:8443/|direct",
        "kbs.example.com:8443|https://kbs.example.com/|proxy.corp:3128",
        "kbs.example.com:443|https://kbs.example.com/|direct",
        "10.0.0.0/8|https://10.1.2.3:8080/|direct",
        "10.0.0.0/8|https://11.1.2.3/|proxy.corp:3128",
        "10.1.2.3|https://10.1.2.3/|direct",
        "10.1.2.3|https://10.1.2.4/|proxy.corp:3128",
        "10.0.0.0/8|https://ten.example/|proxy.corp:3128",
        "2001:db8::/32|https://[2001:db8::1]/|direct",
        "2001:db8::1|https://[2001:db8::1]:8443/|direct",
        "[2001:db8::1]:8443|https://[2001:db8::1]:8443/|direct",
        "[2001:db8::1]:8443|https://[2001:db8::1]/|proxy.corp:3128",
        "1.2.3|https://1.2.3.4/|proxy.corp:3128",
        "example.com/8|https://example.com/|proxy.corp:3128",
        "''|https://kbs.example/|proxy.corp:3128"})
    void noProxyMatchesAsCurlDoes(String noProxy, String url, String expected) {
        assertThat(via(with(noProxy), url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"http://localhost:8080/", "https://LOCALHOST/", "http://kbs.localhost/", "http://127.0.0.1:9/", "http://127.1.2.3/",
        "https://[::1]:8443/"})
    void loopbackIsNeverProxied(String url) {
        assertThat(via(with(""), url)).isEqualTo("direct");
    }

    @Test
    void aProxyTheJdkCannotSpeakToIsRefusedByTheVariablesName() {
        assertThatThrownBy(() -> EnvironmentProxies.of(Map.of("HTTPS_PROXY", "socks5://127.0.0.1:1080")))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                .hasMessageStartingWith("HTTPS_PROXY: ").hasMessageContaining("socks5");
        assertThatThrownBy(() -> EnvironmentProxies.of(Map.of("https_proxy", "https://proxy:443"))).hasMessageContaining("only http://");
        // credentials are refused, and never repeated
        assertThatThrownBy(() -> EnvironmentProxies.of(Map.of("http_proxy", "http://alice:pa55word@proxy:3128")))
                .hasMessageStartingWith("http_proxy: ").hasMessageNotContaining("pa55word").hasMessageNotContaining("alice");
        assertThatThrownBy(() -> EnvironmentProxies.of(Map.of("http_proxy", "http://proxy:3128/some/path"))).hasMessageContaining("not a proxy URL");
        assertThat(EnvironmentProxies.of(Map.of("http_proxy", "http://[::1]:3128/")).proxyFor(URI.create("http://kbs.example/")))
                .map(a -> a.getHostString() + ":" + a.getPort()).contains("::1:3128");
    }
}
