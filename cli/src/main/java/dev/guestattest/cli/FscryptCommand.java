// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.fscrypt.EncryptionPolicy;
import dev.guestattest.keys.fscrypt.FscryptDirectories;
import dev.guestattest.keys.fscrypt.KeyStatus;
import dev.guestattest.keys.fscrypt.ProvisioningKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * guest-attest fscrypt: directories encrypted with fscrypt v2 whose key a key broker releases only
 * to an attested guest. The key goes from the broker into the filesystem through an
 * fscrypt-provisioning key; it never reaches a file, stdout or a log.
 */
@Command(name = "fscrypt", mixinStandardHelpOptions = true,
        description = {"Directories encrypted with fscrypt v2 (ext4 with the encrypt feature, f2fs, ubifs), keyed by a secret a key",
                "broker releases to this attested guest. The filesystem holds an unlocked key for every process, whatever its session."},
        subcommands = {FscryptCommand.Encrypt.class, FscryptCommand.Unlock.class, FscryptCommand.Lock.class, FscryptCommand.Status.class})
final class FscryptCommand {
    /** Where the 64-byte master key comes from. */
    static final class KeySource {
        @ArgGroup(exclusive = false)
        Released released;

        @Option(names = "--key-file", paramLabel = "FILE", description = "Read the 64-byte key from FILE (e.g. one made by head -c 64 /dev/urandom)")
        Path keyFile;
    }

    static final class Released {
        @Option(names = "--secret", paramLabel = "kbs:///REPO/TYPE/TAG", required = true, description = "The 64-byte secret the broker releases")
        String uri;

        @ArgGroup(exclusive = false, multiplicity = "1")
        BrokerOptions from;
    }

    /** encrypt and unlock: a directory and the key for it, which is destroyed once used. */
    abstract static class Keyed implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @ArgGroup(exclusive = true, multiplicity = "1")
        KeySource source;

        @Mixin
        CommonOptions common;

        /** What to do with the key; returns the line to print. */
        abstract String use(Secret key);

        @Override
        public Integer call() {
            Secret key = key();
            try {
                System.out.println(use(key));
            } finally {
                key.destroy();
            }
            return Main.OK;
        }

        private Secret key() {
            if (source.keyFile != null) {
                try (InputStream in = Files.newInputStream(source.keyFile)) {
                    return Secret.read(in, ProvisioningKeys.KEY_SIZE, "--key-file");
                } catch (IOException e) {
                    throw AttestationException.of(dev.guestattest.core.Reason.IO_ERROR, "--key-file: cannot read " + source.keyFile + ": "
                            + e.getMessage());
                }
            }
            Released r = source.released;
            return r.from.release(SecretCommand.resourcePath(r.uri), common.context(), Map.of(), Duration.ofSeconds(common.timeoutSeconds));
        }
    }

    @Command(name = "encrypt", mixinStandardHelpOptions = true,
            description = "Set an fscrypt v2 policy (AES-256-XTS contents, AES-256-CTS names) on an empty directory, keyed by the secret; leaves it unlocked.")
    static final class Encrypt extends Keyed {
        @Override
        String use(Secret key) {
            return "encrypted " + dir + " (fscrypt v2, key " + FscryptDirectories.encrypt(InputFiles.existing("DIR", dir), key).hex() + "); it is unlocked";
        }
    }

    @Command(name = "unlock", mixinStandardHelpOptions = true,
            description = "Attest, receive the directory's key from the broker and add it to the filesystem (refused unless it is the key the policy names).")
    static final class Unlock extends Keyed {
        @Override
        public Integer call() {
            FscryptDirectories.policy(InputFiles.existing("DIR", dir)); // not encrypted: say so before attesting
            return super.call();
        }

        @Override
        String use(Secret key) {
            return "unlocked " + dir + " (key " + FscryptDirectories.unlock(dir, key).hex() + ")";
        }
    }

    @Command(name = "lock", mixinStandardHelpOptions = true,
            description = "Remove the directory's key from its filesystem: names and contents become unreadable once no file is open.")
    static final class Lock implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--all-users", description = "Remove every user's claim on the key, not only this user's (needs CAP_SYS_ADMIN)")
        boolean allUsers;

        @Override
        public Integer call() {
            KeyStatus after = FscryptDirectories.lock(InputFiles.existing("DIR", dir), allUsers);
            String how = switch (after.state()) {
                case ABSENT -> "locked " + dir;
                case INCOMPLETELY_REMOVED -> "locked " + dir + " except files still open; they lock when closed (run lock again then)";
                default -> "removed this user's claim on the key of " + dir + "; " + after.users()
                        + " other user(s) still hold it (--all-users removes theirs too)";
            };
            System.out.println(how);
            return after.state() == KeyStatus.State.PRESENT ? Main.CHECK_FAILED : Main.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Whether DIR is encrypted, with which policy, and whether its key is present.")
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--json", description = "Print policy and key state as JSON (schemas/fscrypt-status.schema.json)")
        boolean json;

        @Override
        public Integer call() {
            FscryptDirectories.Status s = FscryptDirectories.status(InputFiles.existing("DIR", dir));
            if (json) {
                com.fasterxml.jackson.databind.node.ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("directory", dir.toString()).put("encrypted", s.policy().isPresent());
                s.policy().ifPresent(p -> n.putObject("policy").put("version", 2).put("contents_mode", p.contentsMode())
                        .put("filenames_mode", p.filenamesMode()).put("flags", p.flags()).put("key", p.key().hex()));
                s.key().ifPresent(k -> n.putObject("key").put("state", k.state().name().toLowerCase(java.util.Locale.ROOT))
                        .put("users", k.users()).put("added_by_self", k.addedBySelf()));
                JsonOutput.print(n);
                return Main.OK;
            }
            if (s.policy().isEmpty()) {
                System.out.println(dir + ": not encrypted");
                return Main.OK;
            }
            EncryptionPolicy p = s.policy().get();
            KeyStatus k = s.key().orElseThrow();
            System.out.printf("%s: fscrypt v2, contents mode %d, names mode %d, flags 0x%02x, key %s%n", dir, p.contentsMode(),
                    p.filenamesMode(), p.flags(), p.key().hex());
            System.out.println("key: " + switch (k.state()) {
                case ABSENT -> "absent (locked)";
                case PRESENT -> "present (unlocked; " + k.users() + " user claim(s)" + (k.addedBySelf() ? ", this user's among them" : "") + ")";
                case INCOMPLETELY_REMOVED -> "incompletely removed (files opened before the lock are still in use)";
                case UNKNOWN -> "in a state this version does not know";
            });
            return Main.OK;
        }
    }
}
