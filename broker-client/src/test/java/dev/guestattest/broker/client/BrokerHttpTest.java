// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.net.EnvironmentProxies;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A broker that cannot be reached is named by host and port, with the failure's type and words: never "cannot be reached: null". */
class BrokerHttpTest {
    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedConnectionNamesHostPortAndCause() throws Exception {
        int port = closedPort();
        KbsClient client = new KbsClient(List.of(URI.create("http://127.0.0.1:" + port)), Duration.ofSeconds(5), Optional.empty(),
                EnvironmentProxies.of(Map.of()));
        assertThatThrownBy(() -> client.attest("tdx", rd -> {
            throw new AssertionError("no evidence is asked for before auth");
        })).isInstanceOfSatisfying(AttestationException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.IO_ERROR);
            // the JDK's client keeps no words of its own for a refused connection (a ConnectException of a ClosedChannelException)
            assertThat(e.getMessage()).isEqualTo("broker auth: 127.0.0.1:" + port
                    + " cannot be reached (ConnectException: the connection was refused or the host is unreachable)");
        });
    }

    @Test
    void throughAProxyTheProxyIsNamedToo() throws Exception {
        int port = closedPort();
        KbsClient client = new KbsClient(List.of(URI.create("http://kbs.example")), Duration.ofSeconds(5), Optional.empty(),
                EnvironmentProxies.of(Map.of("http_proxy", "127.0.0.1:" + port)));
        assertThatThrownBy(() -> client.attest("tdx", rd -> {
            throw new AssertionError("unreached");
        })).hasMessage("broker auth: kbs.example:80 cannot be reached via proxy 127.0.0.1:" + port
                + " (ConnectException: the connection was refused or the host is unreachable)");
    }

    @Test
    void anEndpointSpellsOutTheSchemesPort() {
        assertThat(BrokerHttp.endpoint(URI.create("https://kbs.example/"))).isEqualTo("kbs.example:443");
    }
}
