// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs the CLI in-process with stdout and stderr captured; as a registered extension, around every test. */
final class CliRun implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        capture();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        restore();
    }

    int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(args);
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
