// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.linux.Libc;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.kernel.LogonKeys;
import dev.guestattest.keys.kernel.StagedKeys;
import dev.guestattest.keys.upcall.HandlerCommand;
import dev.guestattest.keys.upcall.HandlerLog;
import dev.guestattest.keys.upcall.RequestKeyConf;
import dev.guestattest.keys.upcall.Requesters;
import java.io.InputStream;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"The keys ABI: evidence through the Linux kernel keyring's request-key upcall, and derived keys into it.",
                "The handler itself runs as: guest-attest keys upcall [options] <op> <key> <callout> <session-keyring> <uid>"
                        + " (see guest-attest keys upcall --help)."},
        subcommands = {KeysCommand.Install.class, KeysCommand.Uninstall.class, KeysCommand.AddLogon.class})
final class KeysCommand {
    /** The CLI's entry point as request-key calls it; Main hands "keys upcall" to the lean handler. */
    static final List<String> ENTRY_POINT = List.of(Main.class.getName(), "keys", "upcall");

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Write /etc/request-key.d/guest_attest.conf so that request_key(\"user\", \"guest_attest:<level>:<id>\","
                    + " base64(data)) returns evidence, e.g.:",
                    "  keyctl pipe $(keyctl request2 user guest_attest:0:0 \"$(base64 -w0 < data)\") > quote.bin",
                    "Runs the handler once first (proving the provider works) and records an AppCDS archive that halves its start."})
    static final class Install implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--provider", paramLabel = "P", description = "Provider the handler uses, e.g. tdx/emulated; default: the real TEE found at upcall time")
        String provider;

        @Option(names = "--handler-log", paramLabel = "FILE", description = "Append one line per upcall here (default: syslog); its directory"
                + " must be one only root can write (the handler runs as root and will not follow a link)")
        Path handlerLog;

        @Option(names = "--allow-uid", paramLabel = "UID", description = "Also serve request_key calls from this uid (repeatable);"
                + " by default only root's are served, others are rejected with EACCES")
        List<String> allowUids = new ArrayList<>();

        @Option(names = "--negative-timeout", paramLabel = "SECONDS", defaultValue = "5",
                description = "How long a rejected key keeps failing requests for it (default ${DEFAULT-VALUE})")
        int negativeTimeout;

        @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "Tree to install into (default ${DEFAULT-VALUE}; another DIR stages the file)")
        Path root;

        @Option(names = "--no-cds", description = "Skip the training run and the AppCDS archive")
        boolean noCds;

        @Option(names = "--broker", paramLabel = "URL", description = "Also make logon keys matching --secret-keys ask this key broker: "
                + "keyctl request2 logon disk:NAME kbs:///REPO/TYPE/TAG @u attests and instantiates the key with the released secret")
        URI broker;

        @Option(names = "--secret-keys", paramLabel = "PATTERN", defaultValue = "disk:*",
                description = "With --broker: the logon and fscrypt-provisioning key descriptions the broker serves (default ${DEFAULT-VALUE})")
        String secretKeys;

        @Option(names = "--secret-expire", paramLabel = "SECONDS", description = "With --broker: released keys expire after SECONDS (default: never)")
        Long secretExpire;

        @Override
        public Integer call() {
            int euid = Libc.geteuid();
            RequestKeyConf.preflight(root, euid);
            ProviderContext context = common.context();
            List<String> options = new ArrayList<>();
            if (provider != null) {
                options.addAll(List.of("--provider", provider));
            }
            options.addAll(List.of("--state-dir", context.stateDir().toAbsolutePath().toString(),
                    "--configfs-root", context.configfsRoot().toAbsolutePath().toString(),
                    "--dev-dir", context.deviceDir().toAbsolutePath().toString(),
                    "--timeout", Long.toString(context.quoteTimeout().toSeconds()),
                    "--negative-timeout", Integer.toString(negativeTimeout)));
            if (handlerLog != null) {
                HandlerLog.requireSafeLocation(handlerLog);
                options.addAll(List.of("--handler-log", handlerLog.toAbsolutePath().toString()));
            }
            for (String uid : allowUids) {
                options.addAll(List.of("--allow-uid", Long.toString(Requesters.parseUid("--allow-uid", uid))));
            }
            common.settings.forEach(s -> options.addAll(List.of("--setting", s)));
            HandlerCommand handler = HandlerCommand.ofThisJvm(ENTRY_POINT, options);
            Path argDir = context.stateDir().resolve("keys");
            List<String> attestWords = fits(handler.words()) ? handler.words() : handler.words(argDir.resolve("upcall.args"));
            RequestKeyConf.render(attestWords); // refuse unusable paths before the training run
            String cds = "no AppCDS archive (--no-cds)";
            if (!noCds) {
                if (handler.canUseCds()) {
                    handler = handler.train(context.stateDir().resolve("keys").resolve("upcall.jsa"), Duration.ofSeconds(120));
                    attestWords = fits(handler.words()) ? handler.words() : handler.words(argDir.resolve("upcall.args"));
                    cds = "AppCDS archive " + handler.cdsArchive().orElseThrow();
                } else {
                    cds = "no AppCDS archive (the class path has directories; run from the packaged jar for one)";
                }
            }
            Optional<RequestKeyConf.SecretRule> secrets = Optional.empty();
            if (broker != null) {
                List<String> secretOptions = new ArrayList<>(List.of("--broker", broker.toString()));
                if (secretExpire != null) {
                    secretOptions.addAll(List.of("--expire", Long.toString(KernelKeys.lifetime("--secret-expire", secretExpire).toSeconds())));
                }
                secretOptions.addAll(options);
                HandlerCommand secret = HandlerCommand.ofThisJvm(List.of(Main.class.getName(), "secret", "upcall"), secretOptions);
                secrets = Optional.of(new RequestKeyConf.SecretRule(secretKeys,
                        fits(secret.words()) ? secret.words() : secret.words(argDir.resolve("secret-upcall.args"))));
            }
            RequestKeyConf.Change change = RequestKeyConf.install(root, attestWords, secrets, euid);
            System.out.printf("%s %s (provider %s; %s%s)%n", change == RequestKeyConf.Change.UNCHANGED ? "unchanged:" : "wrote",
                    RequestKeyConf.path(root), provider == null ? "the real TEE found at upcall time" : provider, cds,
                    broker == null ? "" : "; logon keys " + secretKeys + " from the broker at " + broker);
            return Main.OK;
        }
    }

    /** Whether a handler's line stays within what request-key reads (a packaged jar's does; a build's long class path may not). */
    static boolean fits(List<String> words) {
        return String.join(" ", words).length() < 3_800;
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "Remove /etc/request-key.d/guest_attest.conf if guest-attest wrote it.")
    static final class Uninstall implements Callable<Integer> {
        @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "Tree to remove it from (default ${DEFAULT-VALUE})")
        Path root;

        @Override
        public Integer call() {
            RequestKeyConf.Change change = RequestKeyConf.uninstall(root, Libc.geteuid());
            System.out.println((change == RequestKeyConf.Change.REMOVED ? "removed " : "not installed: no ") + RequestKeyConf.path(root));
            return Main.OK;
        }
    }

    @Command(name = "add-logon", mixinStandardHelpOptions = true,
            description = {"Put secret material into the kernel as a logon key (never readable from userspace; usable by plain dm-crypt",
                    "and fscrypt v1). Prints the key's serial. The secret comes from a file or stdin, never the command line. Works in",
                    "any session (a private one included); @s is refused where this process has no session keyring of its own."})
    static final class AddLogon implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DESCRIPTION", description = "<subclass>:<name>, e.g. cryptsetup:root")
        String description;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--secret-file", paramLabel = "FILE", description = "Read the secret from FILE")
            Path file;

            @Option(names = "--secret-stdin", description = "Read the secret from standard input")
            boolean stdin;
        }

        @Option(names = "--keyring", paramLabel = "RING", defaultValue = "@u", description = "@u, @s, @us, @g or a keyring's ID (default ${DEFAULT-VALUE})")
        String keyring;

        @Option(names = "--perm", paramLabel = "MASK", description = "Permission mask (default 0x3f010000: possessor all, owner view)")
        String perm;

        @Option(names = "--expire", paramLabel = "SECONDS", description = "Expire the key after SECONDS")
        Long expire;

        @Override
        public Integer call() throws Exception {
            if (!source.stdin) {
                InputFiles.existing("--secret-file", source.file);
            }
            int ring = KeyringId.parse(keyring);
            StagedKeys.requireOutlivesProcess(ring);
            KeyPermissions permissions = perm == null ? KeyPermissions.POSSESSOR_ONLY : KeyPermissions.parse(perm);
            Duration lifetime = expire == null ? Duration.ZERO : KernelKeys.lifetime("--expire", expire);
            Secret secret;
            try (InputStream in = source.stdin ? System.in : Files.newInputStream(source.file)) {
                secret = Secret.read(in, KernelKeys.MAX_USER_PAYLOAD, "secret");
            } catch (java.io.IOException e) {
                throw AttestationException.invalid("--secret-file", source.file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            try {
                int serial = LogonKeys.add(description, secret, ring, permissions, lifetime);
                System.out.println(serial);
            } finally {
                secret.destroy();
            }
            return Main.OK;
        }
    }
}
