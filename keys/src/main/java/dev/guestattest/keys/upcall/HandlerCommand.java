// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.state.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The command line request-key runs for an upcall: this JVM's java binary with start-up flags
 * suited to a process that lives a quarter of a second (C1 only, serial GC, an AppCDS archive of
 * the classes an upcall loads), the absolute class path, the entry point and the handler's options.
 */
public record HandlerCommand(Path java, List<Path> classpath, List<String> entryPoint, List<String> options,
                             Optional<Path> cdsArchive) {
    private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto");

    public HandlerCommand {
        classpath = List.copyOf(classpath);
        entryPoint = List.copyOf(entryPoint);
        options = List.copyOf(options);
    }

    /**
     * The handler as this JVM would run it: {@code entryPoint} is the main class and any leading
     * arguments (e.g. {@code dev.guestattest.cli.Main keys upcall}).
     */
    public static HandlerCommand ofThisJvm(List<String> entryPoint, List<String> options) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath();
        List<Path> cp = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                cp.add(Path.of(entry).toAbsolutePath().normalize()); // request-key runs the handler from /
            }
        }
        return new HandlerCommand(java, cp, entryPoint, options, Optional.empty());
    }

    /** AppCDS archives map jars only; a class-path directory (a build's classes) rules them out. */
    public boolean canUseCds() {
        return classpath.stream().allMatch(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p));
    }

    public HandlerCommand withCdsArchive(Path archive) {
        return new HandlerCommand(java, classpath, entryPoint, options, Optional.of(archive.toAbsolutePath()));
    }

    /** The words of the command, program first, without the request-key substitutions. */
    public List<String> words() {
        List<String> w = new ArrayList<>();
        w.add(java.toString());
        w.addAll(JVM_FLAGS);
        cdsArchive.ifPresent(a -> w.add("-XX:SharedArchiveFile=" + a));
        w.add("-cp");
        w.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        w.addAll(entryPoint);
        w.addAll(options);
        return w;
    }

    /**
     * The same words with the class path moved into {@code argFile} (a java {@code @file}): a long
     * class path (a build's, not the packaged jar's) makes a line longer than request-key reads.
     */
    public List<String> words(Path argFile) {
        List<String> full = words();
        int cp = full.indexOf("-cp");
        try {
            // root's request-key runs java with this file's options: a private directory, a file replaced whole
            AtomicFiles.createPrivateDirectories(argFile.toAbsolutePath().getParent());
            AtomicFiles.write(argFile.toAbsolutePath(), ("-cp " + full.get(cp + 1) + "\n").getBytes(StandardCharsets.UTF_8), false);
        } catch (java.io.IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "handler argument file " + argFile + ": " + e.getMessage());
        }
        List<String> w = new ArrayList<>(full.subList(0, cp));
        w.add("@" + argFile.toAbsolutePath());
        w.addAll(full.subList(cp + 2, full.size()));
        return w;
    }

    /**
     * Runs the handler once in training mode (a real report from the configured provider against a
     * stand-in key) with {@code -XX:ArchiveClassesAtExit}, which proves the handler works and
     * records the classes it loads. Returns the command with the archive, or why it could not.
     */
    public HandlerCommand train(Path archive, Duration timeout) {
        if (!canUseCds()) {
            throw AttestationException.of(Reason.UNSUPPORTED, "AppCDS needs a class path of jars only; this one has directories");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath());
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        cmd.addAll(entryPoint);
        cmd.add(UpcallMain.TRAIN);
        cmd.addAll(options);
        try {
            AtomicFiles.createPrivateDirectories(archive.toAbsolutePath().getParent());
            Files.deleteIfExists(archive);
            Path output = Files.createTempFile("guest-attest-train", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw AttestationException.of(Reason.TIMEOUT, "training run of the upcall handler took over " + timeout.toSeconds() + " s");
                }
                String log = Files.readString(output);
                if (p.exitValue() != 0) {
                    throw AttestationException.of(Reason.DEVICE_ERROR, "training run of the upcall handler failed (exit " + p.exitValue()
                            + "): " + lastLine(log));
                }
                if (!Files.isRegularFile(archive)) {
                    throw AttestationException.of(Reason.UNSUPPORTED, "the JVM wrote no AppCDS archive: " + lastLine(log));
                }
                return withCdsArchive(archive);
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "training run of the upcall handler: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AttestationException.of(Reason.INTERRUPTED, "interrupted during the training run of the upcall handler");
        }
    }

    private static String lastLine(String log) {
        List<String> lines = Arrays.stream(log.split("\n")).filter(l -> !l.isBlank() && !l.contains("[cds]")).toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    }
}
