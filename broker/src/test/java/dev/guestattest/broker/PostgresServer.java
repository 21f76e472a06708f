// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL for one test class: a fresh cluster in a temporary directory, on loopback and
 * a free port, trust authentication for the one local user; stopped by its PID and deleted after.
 * Run as root, it runs as the {@code postgres} user (PostgreSQL refuses root) through setpriv, which
 * execs, so the PID held is the server's own.
 */
final class PostgresServer implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;

    private PostgresServer(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** The PostgreSQL server binaries (Debian's postgresql package), or null when absent. */
    static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static PostgresServer start() throws Exception {
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
        }
        Path dir = Files.createTempDirectory("guestattest-pg");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(as(root, bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "kbs", "-A", "trust", "--no-sync",
                "-E", "UTF8"));
        ProcessBuilder pb = new ProcessBuilder(as(root, bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-k", dir.toString(), "-c", "fsync=on", "-c", "max_connections=200"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        Process p = pb.start();
        PostgresServer server = new PostgresServer(dir, p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection c = DriverManager.getConnection(server.url())) {
                return server;
            } catch (SQLException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
                    server.close();
                    throw new IllegalStateException("PostgreSQL did not start: " + notYet.getMessage() + "\n" + log);
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<String> as(boolean root, String... command) {
        List<String> c = new ArrayList<>();
        if (root) {
            c.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        c.addAll(List.of(command));
        return c;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=kbs";
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM to the server's own PID: a smart shutdown
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
