// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cold starts as a process benchmark: whole commands, each a fresh process, run alternately N
 * times so that both see the same machine state; prints min, median and max wall time per command.
 * The comparison the release is held to: the installed launcher's {@code verify --tdx} against
 * dcap-qvl's {@code verify} on the same quote and collateral.
 * <pre>
 * java -cp bench.jar dev.guestattest.bench.ColdStart 10 -- PREFIX/bin/guest-attest verify --tdx Q --collateral C --at T \
 *     -- node node_modules/@phala/dcap-qvl/test_case.js verify --time UNIX Q C
 * </pre>
 * Every run must exit 0 (a failed verification is not a start-up time).
 */
public final class ColdStart {
    private ColdStart() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int runs = Integer.parseInt(args[0]);
        List<List<String>> commands = new ArrayList<>();
        for (String a : Arrays.asList(args).subList(1, args.length)) {
            if (a.equals("--")) {
                commands.add(new ArrayList<>());
            } else {
                commands.get(commands.size() - 1).add(a);
            }
        }
        long[][] nanos = new long[commands.size()][runs];
        for (int r = 0; r < runs; r++) {
            for (int c = 0; c < commands.size(); c++) {
                nanos[c][r] = time(commands.get(c));
            }
        }
        for (int c = 0; c < commands.size(); c++) {
            long[] t = nanos[c].clone();
            Arrays.sort(t);
            double median = runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2.0;
            System.out.printf("%-70.70s  min %4.0f ms  median %4.0f ms  max %4.0f ms  (%d runs)%n", String.join(" ", commands.get(c)),
                    t[0] / 1e6, median / 1e6, t[runs - 1] / 1e6, runs);
        }
    }

    private static long time(List<String> command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).directory(Path.of(".").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        long elapsed = System.nanoTime() - start;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + command);
        }
        return elapsed;
    }
}
