// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.pki.PemCertificates;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code emulator serve} in-process: its ready line, PCS and KDS paths over HTTP, its faults, and stopping on an interrupt. */
class EmulatorServeTest {
    @TempDir
    static Path state; // one emulated SNP chip for the class (three RSA-4096 keys)
    @RegisterExtension
    private final CliRun cli = new CliRun();
    private final HttpClient http = HttpClient.newHttpClient();
    private Thread serving;
    private final AtomicInteger exit = new AtomicInteger(-1);

    @AfterEach
    void stop() throws InterruptedException {
        if (serving != null && serving.isAlive()) {
            serving.interrupt();
            serving.join(5_000);
        }
    }

    private ProviderContext context() {
        return ProviderContext.defaults().withStateDir(state);
    }

    /** Starts {@code emulator serve} on a thread and waits for its first line; the URL it names. */
    private URI serve(String... options) throws InterruptedException {
        String[] args = Stream.concat(Stream.of("emulator", "serve", "--state-dir", state.toString(), "--port", "0"), Stream.of(options))
                .toArray(String[]::new);
        serving = new Thread(() -> exit.set(cli.run(args)), "emulator-serve-test");
        serving.start();
        long deadline = System.nanoTime() + 120_000_000_000L; // the first run makes the SNP chip's RSA-4096 keys
        while (cli.stdout().lines().count() < 3) { // the ready line and its two services
            assertThat(serving.isAlive()).as("serve ended early: " + cli.stderr()).isTrue();
            assertThat(System.nanoTime()).as("no ready line").isLessThan(deadline);
            Thread.sleep(20);
        }
        String first = cli.stdout().lines().findFirst().orElseThrow();
        assertThat(first).matches("serving at http://127\\.0\\.0\\.1:\\d+");
        return URI.create(first.substring("serving at ".length()));
    }

    private HttpResponse<byte[]> get(URI base, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<byte[]> r, String name) {
        return URLDecoder.decode(r.headers().firstValue(name).orElseThrow(), StandardCharsets.UTF_8);
    }

    /** Fetches the four PCS parts as a PCS client does and verifies a fresh emulated quote with them. */
    private TdxVerification verifyWithServedCollateral(URI base) throws Exception {
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context())) {
            HttpResponse<byte[]> tcb = get(base, "/tdx/certification/v4/tcb?fmspc=" + tdx.platform().tcb().fmspc().hex());
            HttpResponse<byte[]> qe = get(base, "/tdx/certification/v4/qe/identity");
            HttpResponse<byte[]> pckCrl = get(base, "/sgx/certification/v4/pckcrl?ca=platform&encoding=der");
            HttpResponse<byte[]> rootCrl = get(base, "/IntelSGXRootCA.der");
            for (HttpResponse<byte[]> r : java.util.List.of(tcb, qe, pckCrl, rootCrl)) {
                assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(200);
            }
            Collateral c = Collateral.fromPcsResponses(new String(tcb.body(), StandardCharsets.UTF_8), header(tcb, "TCB-Info-Issuer-Chain"),
                    new String(qe.body(), StandardCharsets.UTF_8), header(qe, "SGX-Enclave-Identity-Issuer-Chain"), pckCrl.body(),
                    header(pckCrl, "SGX-PCK-CRL-Issuer-Chain"), rootCrl.body());
            return TdxVerifier.builder().trust(tdx.platform().rootCertificate()).build().verify(tdx.quote(tdx.tdReport(Bytes.zeros(64))), c);
        }
    }

    @Test
    void servesPcsAndKdsPathsUntilInterruptedThenFreesItsPort() throws Exception {
        URI base = serve("--throttle-first", "1", "--retry-after", "3");
        assertThat(cli.stdout()).contains("\n  Intel PCS v4 for the emulated TDX platform (FMSPC ", "\n  AMD KDS for the emulated SNP chip (Milan, ");

        HttpResponse<byte[]> throttled = get(base, "/tdx/certification/v4/qe/identity");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).contains("3");
        TdxVerification v = verifyWithServedCollateral(base);
        assertThat(v.result().failures()).isEmpty();
        assertThat(v.trusted()).isTrue();

        HttpResponse<byte[]> chain = get(base, "/vcek/v1/Milan/cert_chain");
        assertThat(chain.statusCode()).isEqualTo(200);
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(context()).chip();
        assertThat(PemCertificates.parse("cert_chain", chain.body(), 2)).containsExactly(chip.askCertificate(), chip.arkCertificate());
        assertThat(cli.stdout()).contains("GET /tdx/certification/v4/qe/identity -> 429 (0 bytes)\n",
                "GET /vcek/v1/Milan/cert_chain -> 200 (" + chain.body().length + " bytes)\n");

        serving.interrupt();
        serving.join(5_000);
        assertThat(serving.isAlive()).isFalse();
        assertThat(exit).hasValue(Main.OK);
        assertThatThrownBy(() -> new Socket(base.getHost(), base.getPort()).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void tamperingMakesTheServedTcbInfoFailItsSignatureCheck() throws Exception {
        URI base = serve("--tamper-tcb-info", "--valid-days", "2");
        TdxVerification v = verifyWithServedCollateral(base);
        assertThat(v.trusted()).isFalse();
        assertThat(v.result().firstFailure().orElseThrow().name()).isEqualTo("collateral.tcb_info");
    }

    @Test
    void badOptionsAreUsageErrorsBeforeAnythingIsServed() {
        assertThat(cli.run("emulator", "serve", "--state-dir", state.toString(), "--valid-days", "0")).isEqualTo(Main.USAGE);
        assertThat(cli.stderr()).contains("--valid-days: 0 is outside 1..3650");
        assertThat(cli.run("emulator", "serve", "--state-dir", state.toString(), "--retry-after", "-1")).isEqualTo(Main.USAGE);
        assertThat(cli.stderr()).contains("--retry-after: -1 is outside 0..86400 seconds");
        assertThat(cli.run("emulator", "serve", "--state-dir", state.toString(), "--port", "65536")).isEqualTo(Main.USAGE);
        assertThat(cli.stdout()).doesNotContain("serving at");
        assertThat(cli.run("emulator", "serve", "--help")).isZero();
        assertThat(cli.stdout()).contains("--throttle-first", "--tamper-tcb-info", "--valid-days");
    }
}
