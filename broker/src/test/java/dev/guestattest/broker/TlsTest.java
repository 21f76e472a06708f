// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.broker.http.BrokerServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker over HTTPS: a guest trusting the broker's certificate gets its secret; one trusting only the JDK's CAs does not connect. */
class TlsTest {
    @TempDir
    static Path tees;
    @TempDir
    Path tmp;

    @Test
    void aGuestTrustingTheBrokersCertificateReceivesItsSecretOverHttps() throws Exception {
        Path p12 = tmp.resolve("broker.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate("broker");
        try (BrokerFixture plain = new BrokerFixture(tees, tmp, "store");
             BrokerServer https = BrokerServer.start(plain.broker, "127.0.0.1", 0, BrokerFixture.ADMIN.getBytes(StandardCharsets.UTF_8),
                     Optional.of(new BrokerServer.Tls(p12, "changeit")))) {
            assertThat(https.uri().getScheme()).isEqualTo("https");
            plain.admin("POST", "/kbs/v0/attestation-policy", BrokerFixture.POLICY);
            plain.admin("POST", "/kbs/v0/resource-policy", "{\"rules\": [{\"path\": \"test/*/*\", \"status\": \"warning\"}]}");
            plain.admin("POST", "/kbs/v0/resource/test/key/tls", "over tls");
            KbsClient trusting = new KbsClient(List.of(https.uri()), Duration.ofSeconds(10), Optional.of(KbsClient.trusting(List.of(cert))));
            String got = trusting.get("cove", plain.attester("cove/emulated"), "test/key/tls").apply(b -> new String(b, StandardCharsets.UTF_8));
            assertThat(got).isEqualTo("over tls");
            assertThatThrownBy(() -> new KbsClient(https.uri(), Duration.ofSeconds(10)).attest("cove", plain.attester("cove/emulated")))
                    .hasMessageContaining("cannot be reached");
        }
    }
}
