// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.verify.freshness.RuntimeData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one settings object: built and changed through its builder, read from a file, every field checked against its bound by name. */
class BrokerConfigTest {
    private static BrokerConfig read(String document) {
        return BrokerConfigFile.read(document.getBytes(StandardCharsets.UTF_8), BrokerConfig.DEFAULT);
    }

    @Test
    void aChangeKeepsEveryOtherSetting() {
        BrokerConfig c = BrokerConfig.DEFAULT.withAuthRate(7).withSessionLifetime(Duration.ofMillis(200));
        assertThat(c.authPerClientPerSecond()).isEqualTo(7);
        assertThat(c.sessionLifetime()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.toBuilder().authPerClientPerSecond(100).sessionLifetime(Duration.ofMinutes(5)).build()).isEqualTo(BrokerConfig.DEFAULT);
        assertThat(BrokerConfig.builder().build()).isEqualTo(BrokerConfig.DEFAULT);
    }

    @Test
    void theCookieLivesAsLongAsItsSessionInWholeSeconds() {
        assertThat(BrokerConfig.DEFAULT.cookieMaxAge()).isEqualTo(Duration.ofSeconds(300));
        assertThat(BrokerConfig.DEFAULT.withSessionLifetime(Duration.ofMillis(200)).cookieMaxAge()).isEqualTo(Duration.ofSeconds(1));
        assertThat(BrokerConfig.DEFAULT.withSessionLifetime(Duration.ofMinutes(10)).cookieMaxAge()).isEqualTo(Duration.ofSeconds(600));
    }

    @Test
    void aValueOutsideItsBoundIsRefusedByName() {
        assertThatThrownBy(() -> BrokerConfig.DEFAULT.withAuthRate(0)).isInstanceOf(AttestationException.class)
                .hasMessage("authPerClientPerSecond: 0 is outside 1..1000000");
        assertThatThrownBy(() -> BrokerConfig.DEFAULT.withSessionLifetime(Duration.ofDays(2)))
                .hasMessage("sessionLifetime: 2d is outside 1ms..1d");
        assertThatThrownBy(() -> BrokerConfig.builder().maxBodyBytes(10).build()).hasMessage("maxBodyBytes: 10 is outside 1024..67108864");
    }

    @Test
    void aFileSetsWhatItNamesAndTheRestStays() {
        BrokerConfig c = read("""
                session_lifetime: 2m
                token_lifetime: PT10M
                audit_retention: 30d
                runtime_data_hash: sha512
                auth_per_client_per_second: 50
                connections_per_client: 16
                body_deadline: 1500ms
                min_body_bytes_per_second: 0
                """);
        assertThat(c.sessionLifetime()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.tokenLifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.auditRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(c.runtimeDataHash()).isEqualTo(RuntimeData.Hash.SHA512);
        assertThat(c.authPerClientPerSecond()).isEqualTo(50);
        assertThat(c.connectionsPerClient()).isEqualTo(16);
        assertThat(c.bodyDeadline()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.minBodyBytesPerSecond()).isZero();
        assertThat(c.appraisePerClientPerSecond()).isEqualTo(BrokerConfig.DEFAULT.appraisePerClientPerSecond());
        assertThat(read("{\"worker_threads\": 32}").workerThreads()).isEqualTo(32);
        assertThat(read("{}")).isEqualTo(BrokerConfig.DEFAULT);
    }

    @Test
    void aFileIsCheckedFieldByFieldWithItsLineAndBound() {
        assertThatThrownBy(() -> read("session_lifetime: 5m\nauth_per_client_per_second: 0\n"))
                .hasMessage("broker settings: line 2: field 'auth_per_client_per_second': 0 is outside 1..1000000");
        assertThatThrownBy(() -> read("idle_timeout: 2h\n")).hasMessage("broker settings: line 1: field 'idle_timeout': 2h is outside 1ms..1h");
        assertThatThrownBy(() -> read("body_deadline: soon\n")).hasMessageContaining("field 'body_deadline': 'soon' is not a duration");
        assertThatThrownBy(() -> read("runtime_data_hash: md5\n")).hasMessageContaining("field 'runtime_data_hash': 'md5' is not sha256");
        assertThatThrownBy(() -> read("session_lifetim: 5m\n")).hasMessageContaining("line 1").hasMessageContaining("unknown field 'session_lifetim'");
        assertThatThrownBy(() -> read("worker_threads: \"64\"\n")).hasMessageContaining("field 'worker_threads'").hasMessageContaining("whole number");
        assertThatThrownBy(() -> read("roots: {}\n")).as("trust anchors come from the command line").hasMessageContaining("unknown field 'roots'");
    }

    @Test
    void theCollateralSectionNamesTheServicesAndIsCheckedWithItsLine() {
        CollateralSettings c = BrokerConfigFile.collateral("""
                session_lifetime: 2m
                collateral:
                  pcs: https://pccs.example:8081
                  directories: [/srv/collateral]
                  grace: 24h
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(c.pcs()).contains(java.net.URI.create("https://pccs.example:8081"));
        assertThat(c.kds()).isEmpty();
        assertThat(c.directories()).containsExactly(java.nio.file.Path.of("/srv/collateral"));
        assertThat(c.grace()).contains(java.time.Duration.ofHours(24));
        assertThat(c.offline()).isFalse();
        assertThat(read("collateral:\n  offline: true\n")).as("the other settings do not mind the section").isEqualTo(BrokerConfig.DEFAULT);
        assertThat(BrokerConfigFile.collateral("token_lifetime: 5m\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(CollateralSettings.DEFAULT);
        assertThatThrownBy(() -> BrokerConfigFile.collateral("collateral:\n  pcs: ftp://x\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("line 2").hasMessageContaining("'ftp://x' is not an http(s) URL");
        assertThatThrownBy(() -> BrokerConfigFile.collateral("collateral:\n  grace: later\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("'later' is not a duration");
        assertThatThrownBy(() -> BrokerConfigFile.collateral("collateral:\n  pccs: https://x\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("line 2").hasMessageContaining("unknown field 'collateral.pccs'");
    }
}
