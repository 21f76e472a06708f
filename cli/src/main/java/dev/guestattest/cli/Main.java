// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.JnaStartup;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.keys.upcall.UpcallMain;
import dev.guestattest.tdx.verify.TdxVerifier;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code guest-attest}: evidence from any TEE through one CLI, under one contract for every command
 * (docs/cli.md): exit 0 ok, 1 a check failed or a party refused, 2 bad input or usage (a named file
 * missing or unreadable included), 3 the environment (no device, network unreachable, I/O);
 * {@code appraise} exits 4 for a warning. The result goes to stdout, diagnostics to stderr.
 */
@Command(name = "guest-attest", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        description = "Confidential-computing guest attestation: evidence from every TEE through one ABI, verification, appraisal and keys.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok (appraise: affirming)", "1:a check failed, or a broker or policy refused (appraise: contraindicated)",
                "2:bad input or usage, including a named file that is missing or unreadable",
                "3:environment (no provider or device, network unreachable, I/O)", "4:appraise only: warning"})
public final class Main {
    public static final int OK = 0;
    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;
    public static final int ENVIRONMENT = 3;
    /** {@code appraise}: the evidence is acceptable with reservations (EAR "warning"). */
    public static final int WARNING = 4;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Print the stack trace of a failure")
    boolean verbose;

    public static void main(String[] args) {
        JnaStartup.withoutLdconfig();
        if (args.length >= 2 && args[0].equals("keys") && args[1].equals("upcall")) {
            // request-key's handler: skip picocli and everything else a one-shot upcall does not need
            UpcallMain.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length >= 2 && args[0].equals("secret") && args[1].equals("upcall")) {
            SecretUpcallMain.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length >= 1 && (args[0].equals("verify") || args[0].equals("appraise"))) {
            // picocli takes ~60 ms to build its model; the verifier's root and crypto load on the other core meanwhile
            Thread preload = new Thread(TdxVerifier::preload, "guest-attest-preload");
            preload.setDaemon(true);
            preload.start();
        }
        // picocli's first model otherwise looks for Groovy's Closure class, a failed lookup through the whole jar (~8 ms)
        System.setProperty("picocli.disable.closures", "true");
        System.exit(run(args));
    }

    /**
     * The subcommands by name, in the order help lists them. Only the one that runs is loaded and
     * built: picocli reflects over every option of every command it registers, and loading and
     * building all of them took ~0.35 s of every start. {@code MainTest} checks these names are the
     * commands' own.
     */
    static final Map<String, String> COMMANDS = commands("providers", "ProvidersCommand", "report", "ReportCommand", "selftest",
            "SelftestCommand", "demo", "DemoCommand", "emulator", "EmulatorCommand", "verify", "VerifyCommand", "snp", "SnpCommand", "mr",
            "MrCommand", "eventlog", "EventlogCommand", "s390", "S390Command", "keys", "KeysCommand", "appraise", "AppraiseCommand",
            "policy", "AppraiseCommand$PolicyCommand", "appraiser", "AppraiseCommand$AppraiserCommand", "broker", "BrokerCommand", "secret",
            "SecretCommand", "fscrypt", "FscryptCommand", "collateral", "CollateralCommand", "doctor", "DoctorCommand", "version",
            "VersionCommand");

    private static Map<String, String> commands(String... nameClass) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameClass.length; i += 2) {
            m.put(nameClass[i], Main.class.getPackageName() + "." + nameClass[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The command line with only the subcommand {@code args} names; none for the top level's own
     * options (--version), every one where help or a usage error must list them.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length == 0 ? "" : args[0];
        if (COMMANDS.containsKey(first)) {
            cl.addSubcommand(first, command(COMMANDS.get(first)));
        } else if (!first.equals("--version") && !first.equals("-V")) {
            COMMANDS.forEach((name, type) -> cl.addSubcommand(name, command(type)));
        }
        if (cl.getSubcommands().containsKey("verify")) {
            ((VerifyCommand) cl.getSubcommands().get("verify").getCommand()).declareTeeOptions();
        }
        versions(cl, new BuildInfo());
        return cl;
    }

    /** Every command's --version prints what the top level's does (picocli gives a subcommand without its own nothing). */
    private static void versions(CommandLine c, BuildInfo info) {
        c.getCommandSpec().versionProvider(info);
        c.getSubcommands().values().forEach(sub -> versions(sub, info));
    }

    private static Class<?> command(String type) {
        try {
            return Class.forName(type);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the CLI jar lacks its command " + type, e);
        }
    }

    public static int run(String... args) {
        CommandLine cl = commandLine(args);
        // usage errors as every other failure: one line naming the problem, then where help is (exit 2)
        cl.setParameterExceptionHandler((ex, given) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("guest-attest: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = verbose(parseResult);
            if (e instanceof AttestationException ae) {
                commandLine.getErr().println("guest-attest: " + ae.getMessage());
                if (verbose) {
                    ae.printStackTrace(commandLine.getErr());
                }
                return exitCode(ae.reason());
            }
            commandLine.getErr().println("guest-attest: internal error: " + e);
            if (verbose) {
                e.printStackTrace(commandLine.getErr());
            }
            return ENVIRONMENT;
        });
        return cl.execute(args);
    }

    private static boolean verbose(CommandLine.ParseResult p) {
        return p.hasMatchedOption("--verbose") || p.subcommands().stream().anyMatch(Main::verbose);
    }

    static int exitCode(Reason reason) {
        return switch (reason.category()) {
            case INPUT -> USAGE;
            case ENVIRONMENT -> ENVIRONMENT;
            case REFUSED -> CHECK_FAILED;
        };
    }

    /**
     * {@link #exitCode(VerificationResult)}, and when the evidence was malformed or could not be
     * judged here, the first such failure as a diagnostic on stderr (a judged failure is the
     * result, on stdout).
     */
    static int concluded(VerificationResult result) {
        int code = exitCode(result);
        if (code == USAGE || code == ENVIRONMENT) {
            result.firstFailure().ifPresent(c -> System.err.println("guest-attest: " + c.name() + ": " + c.detail()));
        }
        return code;
    }

    /** A verification's exit code: 0 trusted, else by its first failure: malformed evidence 2, a check not makeable here 3, judged 1. */
    static int exitCode(VerificationResult result) {
        if (result.trusted()) {
            return OK;
        }
        return result.firstFailure().map(c -> switch (c.kind()) {
            case MALFORMED -> USAGE;
            case UNAVAILABLE -> ENVIRONMENT;
            case JUDGED -> CHECK_FAILED;
        }).orElse(CHECK_FAILED);
    }
}
