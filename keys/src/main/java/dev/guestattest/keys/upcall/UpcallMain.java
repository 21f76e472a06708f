// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.Attester;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import dev.guestattest.keys.abi.Callout;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyInfo;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * {@code guest-attest keys upcall}: the program /sbin/request-key runs for a {@code guest_attest:}
 * key. Kept off picocli and away from every provider but the configured one, because a JVM's start
 * is most of an upcall's time. A watchdog halts the process if anything, even the kernel call that
 * rejects the key, outlives the bound: the caller's request_key must never hang.
 */
public final class UpcallMain {
    static final String USAGE = """
            usage: guest-attest keys upcall [--provider P] [--state-dir DIR] [--configfs-root DIR] [--dev-dir DIR]
                   [--setting KEY=VALUE]... [--timeout SECONDS] [--negative-timeout SECONDS] [--handler-log FILE]
                   [--allow-uid UID]... <op> <key> <callout> <session-keyring> <uid>
            The request-key handler for user keys described guest_attest:<level>:<id> (see guest-attest keys install).
            It serves root and each --allow-uid; other uids' keys are rejected with EACCES.
            Exit codes: 0 key instantiated, 1 key rejected, 2 usage.""";
    static final String TRAIN = "--train";
    private static final Duration WATCHDOG_GRACE = Duration.ofSeconds(3);

    private UpcallMain() {
    }

    public static void main(String[] args) {
        dev.guestattest.core.linux.JnaStartup.withoutLdconfig();
        if (args.length > 0 && args[0].equals(TRAIN)) {
            System.exit(train(Arrays.copyOfRange(args, 1, args.length), System.err)); // a normal exit writes the CDS archive
        }
        int code = run(args, System.err, KeyCompletion.kernel(), Optional.empty());
        System.err.flush();
        Runtime.getRuntime().halt(code); // no shutdown hooks: a stuck provider thread must not keep the JVM
    }

    /**
     * {@code --train [options]}: one upcall against a stand-in key, so that a JVM started with
     * {@code -XX:ArchiveClassesAtExit} records every class a real upcall loads (AppCDS; see keys install).
     */
    static int train(String[] options, PrintStream err) {
        String[] args = Arrays.copyOf(options, options.length + 5);
        System.arraycopy(new String[] {"create", "1", Base64.getEncoder().encodeToString(new byte[Callout.MAX_DATA]), "0", "0"}, 0,
                args, options.length, 5);
        KeyCompletion standIn = new KeyCompletion() {
            @Override
            public KeyInfo describe(int key) {
                KernelKeys.keyringId(KeyringId.SESSION, false); // loads the syscall binding a real upcall uses
                return new KeyInfo(key, UpcallHandler.KEY_TYPE, 0, 0, KeyPermissions.POSSESSOR_ONLY, "guest_attest:0:0");
            }

            @Override
            public void instantiate(int key, byte[] payload, int keyring) {
                // the stand-in key only counts the bytes
            }

            @Override
            public void instantiateSecret(int key, byte[] payload, KeyPermissions permissions, Duration expiry) {
                // the evidence handler never instantiates secrets
            }

            @Override
            public void reject(int key, Duration timeout, int errno, int keyring) {
                // reported through the outcome
            }
        };
        return run(args, err, standIn, Optional.of(HandlerLog.stream(err)));
    }

    /** The parsed command line; {@code extra}: the values of options another handler added (the secret handler's --broker). */
    public record Options(Optional<String> provider, ProviderContext context, Duration timeout, Duration negativeTimeout,
                          Optional<Path> handlerLog, Requesters requesters, Upcall upcall, java.util.Map<String, String> extra) {
        public Options {
            extra = java.util.Map.copyOf(extra);
        }

        /** Where the handler logs: the --handler-log file, else syslog. */
        public HandlerLog log(PrintStream err) {
            return handlerLog.map(f -> HandlerLog.file(f, err)).orElseGet(HandlerLog::syslog);
        }
    }

    static int run(String[] args, PrintStream err, KeyCompletion kernel, Optional<HandlerLog> logOverride) {
        Options o;
        try {
            o = parse(args);
        } catch (AttestationException e) {
            err.println("guest-attest keys upcall: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o == null) {
            err.println(USAGE);
            return 0;
        }
        HandlerLog log = logOverride.orElseGet(() -> o.log(err));
        Thread watchdog = startWatchdog(o, kernel, log);
        try {
            UpcallHandler handler = new UpcallHandler(kernel, Attester.provider(o.provider(), o.context()), o.requesters(), o.timeout(),
                    o.negativeTimeout(), log);
            return handler.handle(o.upcall()).instantiated() ? 0 : 1;
        } finally {
            watchdog.interrupt();
        }
    }

    /**
     * Rejects the key and halts the JVM if the handler outlives its timeout by the grace: request_key
     * must never hang. Returns the watchdog, to interrupt when the handler is done (an in-process
     * caller's JVM goes on, and must not be halted later).
     */
    public static Thread startWatchdog(Options o, KeyCompletion kernel, HandlerLog log) {
        Duration limit = o.timeout().plus(WATCHDOG_GRACE);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            log.error("key " + o.upcall().key() + ": handler still running after " + limit.toMillis() + " ms; rejecting with ETIMEDOUT");
            try {
                kernel.reject(o.upcall().key(), o.negativeTimeout(), Errno.ETIMEDOUT, o.upcall().sessionKeyring());
            } finally {
                Runtime.getRuntime().halt(1);
            }
        }, "guest-attest-upcall-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The options, or null when help was asked for. */
    static Options parse(String[] args) {
        return parse(args, java.util.Set.of());
    }

    /** The same, also accepting the options in {@code extraOptions} (each with a value). */
    public static Options parse(String[] args, java.util.Set<String> extraOptions) {
        java.util.Map<String, String> extra = new java.util.HashMap<>();
        Optional<String> provider = Optional.empty();
        ProviderContext context = ProviderContext.defaults();
        Duration timeout = Duration.ofSeconds(15);
        Duration negative = Duration.ofSeconds(5);
        Optional<Path> log = Optional.empty();
        List<Long> allowUids = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (!a.startsWith("--") || !positional.isEmpty()) {
                positional.add(a);
                continue;
            }
            if (i + 1 >= args.length) {
                throw AttestationException.invalid(a, "needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--provider" -> provider = Optional.of(v);
                case "--state-dir" -> context = context.withStateDir(Path.of(v));
                case "--configfs-root" -> context = context.withConfigfsRoot(Path.of(v));
                case "--dev-dir" -> context = context.withDeviceDir(Path.of(v));
                case "--setting" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw AttestationException.invalid("--setting", "'" + v + "' is not KEY=VALUE");
                    }
                    context = context.withSetting(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--timeout" -> timeout = seconds(a, v, 1, 3600);
                case "--negative-timeout" -> negative = seconds(a, v, 1, 3600);
                case "--handler-log" -> log = Optional.of(Path.of(v));
                case "--allow-uid" -> allowUids.add(Requesters.parseUid(a, v));
                default -> {
                    if (!extraOptions.contains(a)) {
                        throw AttestationException.invalid(a, "unknown option");
                    }
                    extra.put(a, v);
                }
            }
        }
        if (positional.size() != 5) {
            throw AttestationException.invalid("arguments", "expected <op> <key> <callout> <session-keyring> <uid>, got "
                    + positional.size() + " argument(s)");
        }
        context = context.withQuoteTimeout(timeout);
        return new Options(provider, context, timeout, negative, log, Requesters.of(allowUids),
                Upcall.parse(positional.get(0), positional.get(1), positional.get(2), positional.get(3), positional.get(4)), extra);
    }

    private static Duration seconds(String option, String text, int min, int max) {
        try {
            int v = Integer.parseInt(text);
            if (v >= min && v <= max) {
                return Duration.ofSeconds(v);
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw AttestationException.invalid(option, "'" + text + "' is outside " + min + ".." + max + " seconds");
    }
}
