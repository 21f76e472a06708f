// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real TPM for tests: swtpm manufactured as a vendor would (EK and its certificate from swtpm's
 * local CA), serving on free loopback ports with its own state, stopped by PID. A missing swtpm
 * skips, or fails where GUEST_ATTEST_KERNEL_TESTS=required (CI).
 */
public final class Swtpm implements AutoCloseable {
    private final Process process;
    private final int port;

    private Swtpm(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Swtpm start(Path dir) throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/swtpm"));
        if (!present && "required".equals(System.getenv("GUEST_ATTEST_KERNEL_TESTS"))) {
            throw new AssertionError("swtpm is not installed (apt-get install swtpm swtpm-tools tpm2-tools)");
        }
        assumeTrue(present, "swtpm is not installed");
        int port = freePortPair(); // tpm2-tools' swtpm TCTI expects the control port right after the data port
        Files.createDirectories(dir.resolve("state"));
        Process setup = new ProcessBuilder("swtpm_setup", "--tpm2", "--tpmstate", dir.resolve("state").toString(), "--create-ek-cert",
                "--overwrite").redirectErrorStream(true).redirectOutput(dir.resolve("setup.log").toFile()).start();
        if (!setup.waitFor(120, TimeUnit.SECONDS) || setup.exitValue() != 0) {
            throw new AssertionError("swtpm_setup failed: " + Files.readString(dir.resolve("setup.log")));
        }
        Process swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2", "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1", "--tpmstate", "dir=" + dir.resolve("state"),
                "--flags", "not-need-init,startup-clear").redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
        Swtpm s = new Swtpm(swtpm, port);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                return s;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !swtpm.isAlive()) {
                    s.close();
                    throw new AssertionError("swtpm did not start: " + Files.readString(dir.resolve("swtpm.log")));
                }
                Thread.sleep(20);
            }
        }
    }

    public int port() {
        return port;
    }

    /** The provider name that reaches this TPM. */
    public String provider() {
        return "tpm/swtpm:127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM to its PID
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(a.getLocalPort() + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                return a.getLocalPort();
            } catch (IOException taken) {
                // the next port was busy; try another pair
            }
        }
        throw new IOException("no two adjacent free loopback ports");
    }
}
