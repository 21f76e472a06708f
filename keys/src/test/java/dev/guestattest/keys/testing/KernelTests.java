// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guestattest.core.linux.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The gate of tests that need the real kernel as root: they skip where a prerequisite is missing,
 * and fail instead when GUEST_ATTEST_KERNEL_TESTS=required (CI), so that a CI run cannot pass them
 * by skipping.
 */
public final class KernelTests {
    private KernelTests() {
    }

    /** Root and each of {@code paths} (executables or device nodes) present. */
    public static void require(String test, String... paths) {
        String missing = Libc.geteuid() != 0 ? "root" : null;
        for (String p : paths) {
            if (missing == null && !Files.exists(Path.of(p))) {
                missing = p;
            }
        }
        if (missing != null && "required".equals(System.getenv("GUEST_ATTEST_KERNEL_TESTS"))) {
            throw new AssertionError(test + " needs " + missing);
        }
        String why = missing;
        assumeTrue(why == null, () -> test + " needs " + why);
    }

    /** A key's columns in /proc/keys (serial, flags, usage, expiry, permissions, uid, gid, type, ...), if the kernel shows it to us. */
    public static java.util.Optional<String[]> procKeys(int serial) {
        String hex = String.format("%08x ", serial);
        try {
            return Files.readAllLines(Path.of("/proc/keys")).stream().filter(l -> l.startsWith(hex)).findFirst().map(l -> l.split("\\s+"));
        } catch (java.io.IOException e) {
            throw new AssertionError("/proc/keys: " + e, e);
        }
    }

    /** A finished command: its exit status and its output, stdout and stderr merged. */
    public record Result(int exit, String out) {
    }

    /** Runs a command to completion, failing the test with its output if it fails. */
    public static String run(List<String> command) {
        Result r = output(command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + ": exit " + r.exit() + "\n" + r.out());
        }
        return r.out();
    }

    /** Runs a command to completion (two minutes at most) with no input. */
    public static Result output(List<String> command) {
        Path log = null;
        try {
            log = Files.createTempFile("guest-attest-test", ".out"); // a file, not a pipe: the wait below is what bounds the run
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": still running after 120 s");
            }
            return new Result(p.exitValue(), Files.readString(log));
        } catch (java.io.IOException e) {
            throw new AssertionError(String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (log != null) {
                log.toFile().delete();
            }
        }
    }
}
