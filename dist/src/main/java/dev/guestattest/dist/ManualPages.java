// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.dist;

import dev.guestattest.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The manual pages (troff, one per command: {@code guest-attest.1}, {@code guest-attest-verify.1},
 * {@code guest-attest-broker-serve.1}, ...) and the bash completion, from the CLI's own model, so
 * they list exactly the options the commands take. Run by the build: {@code ManualPages MANDIR COMPLETION_FILE DATE}.
 */
public final class ManualPages {
    private ManualPages() {
    }

    public static void main(String[] args) throws IOException {
        Path manDir = Files.createDirectories(Path.of(args[0]));
        Path completion = Path.of(args[1]);
        String date = args.length > 2 ? args[2] : LocalDate.now().toString();
        CommandLine root = Main.commandLine("--help"); // every command, verify with the TEEs' own options
        int pages = 0;
        for (CommandLine c : all(root)) {
            Files.writeString(manDir.resolve(pageName(c.getCommandSpec()) + ".1"), page(c.getCommandSpec(), date), StandardCharsets.UTF_8);
            pages++;
        }
        Files.createDirectories(completion.toAbsolutePath().getParent());
        // sourced by bash-completion, never run: no "#!" line (Debian's lintian flags one)
        String script = AutoComplete.bash("guest-attest", root);
        if (script.startsWith("#!")) {
            script = script.substring(script.indexOf('\n') + 1);
        }
        Files.writeString(completion, script, StandardCharsets.UTF_8);
        System.out.println("wrote " + pages + " manual pages to " + manDir + " and the bash completion to " + completion);
    }

    private static List<CommandLine> all(CommandLine c) {
        List<CommandLine> out = new ArrayList<>(List.of(c));
        for (Map.Entry<String, CommandLine> sub : c.getSubcommands().entrySet()) {
            if (sub.getKey().equals(sub.getValue().getCommandName())) {
                out.addAll(all(sub.getValue()));
            }
        }
        return out;
    }

    static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    static String page(CommandSpec spec, String date) {
        StringBuilder t = new StringBuilder();
        String name = pageName(spec);
        t.append(".TH \"").append(name.toUpperCase(java.util.Locale.ROOT)).append("\" 1 \"").append(date).append("\" \"GuestAttest\" \"User Commands\"\n");
        String summary = String.join(" ", spec.usageMessage().description());
        int stop = summary.indexOf(". ");
        t.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(stop > 0 ? summary.substring(0, stop) : summary)).append('\n');
        t.append(".SH SYNOPSIS\n.B ").append(esc(spec.qualifiedName(" "))).append('\n');
        if (!spec.subcommands().isEmpty()) {
            t.append("COMMAND [OPTIONS]\n");
        } else {
            t.append("[OPTIONS]");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                t.append(' ').append(esc(p.paramLabel()));
            }
            t.append('\n');
        }
        t.append(".SH DESCRIPTION\n").append(esc(String.join("\n", spec.usageMessage().description()))).append('\n');
        if (!spec.subcommands().isEmpty()) {
            t.append(".SH COMMANDS\n");
            spec.subcommands().forEach((n, c) -> {
                if (n.equals(c.getCommandName())) {
                    t.append(".TP\n.B ").append(esc(n)).append('\n').append(esc(String.join(" ", c.getCommandSpec().usageMessage().description())))
                            .append("\nSee \\fB").append(esc(pageName(c.getCommandSpec()))).append("\\fR(1).\n");
                }
            });
        }
        if (!spec.options().isEmpty()) {
            t.append(".SH OPTIONS\n");
            for (OptionSpec o : spec.options()) {
                t.append(".TP\n.B ").append(esc(String.join(", ", o.names())));
                if (o.arity().max() > 0) {
                    t.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
                }
                t.append('\n').append(esc(String.join(" ", o.description()).replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()))))
                        .append('\n');
            }
        }
        if (spec.parent() == null) {
            t.append(".SH EXIT STATUS\n0 ok; 1 a check failed or a refusal; 2 bad input or usage; 3 the environment (no provider, device missing, I/O).\n");
        }
        t.append(".SH SEE ALSO\n\\fBguest-attest\\fR(1), https://github.com/guestattest (docs/ in the source tree)\n");
        return t.toString();
    }

    /** troff: a backslash doubled, a leading dot or quote neutralised, dashes as hyphens. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            String l = line.replace("\\", "\\e").replace("-", "\\-");
            if (l.startsWith(".") || l.startsWith("'")) {
                l = "\\&" + l;
            }
            out.append(out.length() > 0 ? "\n" : "").append(l);
        }
        return out.toString();
    }
}
