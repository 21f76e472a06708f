package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.keys.upcall.UpcallMain;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code guest-attest}: evidence from any TEE through one CLI. Exit codes: 0 ok, 1 a check failed,
 * 2 bad input or usage, 3 environment (no provider, device missing, I/O).
 */
@Command(name = "guest-attest", mixinStandardHelpOptions = true, version = "guest-attest 0.1.0",
        description = "Confidential-computing guest attestation: evidence from TDX (and, later, every TEE) through one ABI.",
        subcommands = {ProvidersCommand.class, ReportCommand.class, SelftestCommand.class, DemoCommand.class,
                EmulatorCommand.class, VerifyCommand.class, SnpCommand.class, MrCommand.class, EventlogCommand.class, S390Command.class,
                KeysCommand.class, AppraiseCommand.class, AppraiseCommand.PolicyCommand.class, AppraiseCommand.AppraiserCommand.class,
                BrokerCommand.class, SecretCommand.class, FscryptCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a check failed", "2:bad input or usage", "3:environment (no provider, device missing, I/O)"})
public final class Main {
    public static final int OK = 0;
    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;
    public static final int ENVIRONMENT = 3;

    public static void main(String[] args) {
        if (args.length >= 2 && args[0].equals("keys") && args[1].equals("upcall")) {
            // request-key's handler: skip picocli and everything else a one-shot upcall does not need
            UpcallMain.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length >= 2 && args[0].equals("secret") && args[1].equals("upcall")) {
            SecretUpcallMain.main(Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        if (Arrays.asList(args).contains("verify")) {
            // the TEEs' own verify options; other commands do not pay for discovering them
            ((VerifyCommand) cl.getSubcommands().get("verify").getCommand()).declareTeeOptions();
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
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

    static int exitCode(Reason reason) {
        return reason.category() == Reason.Category.INPUT ? USAGE : ENVIRONMENT;
    }
}
