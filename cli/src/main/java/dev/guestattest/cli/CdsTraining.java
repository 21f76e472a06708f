// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the launcher runs once with {@code -XX:ArchiveClassesAtExit}: the commands whose start-up
 * matters (every command's parser and help, verify and appraise of TDX and SNP evidence from the
 * emulators, a broker client up to its first connection), in a throwaway state directory, output discarded. The archive then holds the classes
 * they load, and later starts map them instead of loading and verifying them again.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("guest-attest-cds");
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(none);
        System.setErr(none);
        try {
            String state = dir.resolve("state").toString();
            String q = dir.resolve("q.bin").toString();
            String col = dir.resolve("col.json").toString();
            String root = dir.resolve("root.pem").toString();
            Main.run("--help");
            Main.run("report", "--provider", "tdx/emulated", "--state-dir", state, "--inblob-hex", "00".repeat(64), "--out", q);
            Main.run("emulator", "collateral", "--state-dir", state, "--out", col);
            try (var tdx = dev.guestattest.tdx.emulator.TdxEmulatedProvider.open(
                    dev.guestattest.core.ProviderContext.defaults().withStateDir(Path.of(state)))) {
                Files.writeString(Path.of(root), tdx.platform().rootCertificatePem());
            }
            Main.run("verify", "--tdx", q, "--collateral", col, "--root", root, "--json");
            Main.run("verify", "--tdx", q, "--collateral", col, "--root", root, "--report-data", "00".repeat(64));
            Path policy = Files.writeString(dir.resolve("policy.yaml"), "id: cds\ntees: [tdx]\nallow_debug: true\n");
            Main.run("appraise", q, "--offline", "--aux", "collateral=" + col, "--root", root, "--policy", policy.toString(), "--state-dir", state);
            // a guest's broker client as far as its first connection (to a port nothing listens on): the HTTP client, TLS
            // defaults, JSON and the exchange key, which the secret upcall loads at boot
            int closed;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            }
            Main.run("secret", "get", "kbs:///cds/training/key", "--broker", "http://127.0.0.1:" + closed, "--provider", "tdx/emulated",
                    "--state-dir", state, "--out", dir.resolve("secret").toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
