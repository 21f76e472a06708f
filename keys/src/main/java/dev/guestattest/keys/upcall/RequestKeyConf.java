// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.state.AtomicFiles;
import dev.guestattest.keys.fscrypt.ProvisioningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /etc/request-key.d/guest_attest.conf}: the one line that makes /sbin/request-key run the
 * handler for {@code user} keys described {@code guest_attest:*}. Install and uninstall touch that
 * file only, are idempotent, and refuse to overwrite or remove a file GuestAttest did not write.
 */
public final class RequestKeyConf {
    public static final String FILE_NAME = "guest_attest.conf";
    /** The request-key substitutions the handler expects: op, key, callout, requester's session keyring, key's (requester's) uid. */
    public static final List<String> UPCALL_ARGUMENTS = List.of("%o", "%k", "%c", "%S", "%u");
    static final String MARKER = "# Managed by guest-attest keys install; guest-attest keys uninstall removes it.";
    /** request-key splits the line on blanks and has no quoting, and its argument vector is bounded. */
    private static final int MAX_TOKENS = 64;
    /** request-key reads each line into a 4 KiB buffer. */
    static final int MAX_LINE = 4095;

    private RequestKeyConf() {
    }

    /** What install or uninstall did. */
    public enum Change { WRITTEN, UNCHANGED, REMOVED, ABSENT }

    public static Path path(Path root) {
        return root.resolve("etc").resolve("request-key.d").resolve(FILE_NAME);
    }

    /**
     * A second rule: {@code logon} and {@code fscrypt-provisioning} keys whose description matches
     * {@code pattern} (e.g. {@code disk:*}) are constructed by {@code command}, the key broker's
     * secret handler; the callout names the secret ({@code kbs:///REPO/TYPE/TAG}).
     */
    public record SecretRule(String pattern, List<String> command) {
        public SecretRule {
            command = List.copyOf(command);
            if (!pattern.matches("[A-Za-z0-9_.-]+:[A-Za-z0-9_.*-]*")) {
                throw AttestationException.invalid("secret key pattern", "'" + pattern + "' must be <subclass>:<name or *>, e.g. disk:*");
            }
        }
    }

    /** The file's text for a handler run as {@code command} (program first), the upcall arguments appended. */
    public static String render(List<String> command) {
        return render(command, Optional.empty());
    }

    /** The same, with the secret rule's line when there is one. */
    public static String render(List<String> command, Optional<SecretRule> secrets) {
        String text = MARKER + "\n" + line("user", "guest_attest:*", command);
        return secrets.map(r -> text + line("logon", r.pattern(), r.command())
                + line(ProvisioningKeys.TYPE, r.pattern(), r.command())).orElse(text);
    }

    private static String line(String type, String description, List<String> command) {
        if (command.isEmpty()) {
            throw AttestationException.invalid("handler command", "is empty");
        }
        if (command.size() + UPCALL_ARGUMENTS.size() > MAX_TOKENS) {
            throw AttestationException.invalid("handler command", command.size() + " words exceed the limit of "
                    + (MAX_TOKENS - UPCALL_ARGUMENTS.size()));
        }
        for (String word : command) {
            if (word.isEmpty() || word.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == '%' || c == '"' || c == '\'' || c == '\\'
                    || c == '#')) {
                throw AttestationException.invalid("handler command", "'" + word + "' is empty or has a blank, quote, backslash, "
                        + "'#' or '%', which request-key.conf cannot carry (move the file to a path without them)");
            }
        }
        if (!command.get(0).startsWith("/")) {
            throw AttestationException.invalid("handler command", "program '" + command.get(0) + "' must be an absolute path");
        }
        List<String> line = new ArrayList<>(List.of("create", type, description, "*"));
        line.addAll(command);
        line.addAll(UPCALL_ARGUMENTS);
        String text = String.join(" ", line) + "\n";
        if (text.length() > MAX_LINE) {
            throw AttestationException.invalid("handler command", "its line is " + text.length() + " characters; request-key reads at most "
                    + MAX_LINE + " (put the class path in an argument file: HandlerCommand.words(argFile))");
        }
        return text;
    }

    /**
     * Writes the file under {@code root} ("/" for the real system, which needs {@code euid} 0);
     * an identical file is left alone, a file without the marker is refused.
     */
    public static Change install(Path root, List<String> command, int euid) {
        return install(root, command, Optional.empty(), euid);
    }

    /** The same, with the secret rule when there is one. */
    public static Change install(Path root, List<String> command, Optional<SecretRule> secrets, int euid) {
        String text = render(command, secrets);
        Path file = path(root);
        try {
            if (preflight(root, euid).equals(Optional.of(text))) {
                return Change.UNCHANGED;
            }
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8), false);
            return Change.WRITTEN;
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot write " + file + ": " + e);
        }
    }

    /**
     * The checks install makes before it writes, for callers with slow work to do first: root
     * privileges for the real tree, and an existing file must be ours. Returns that file's text.
     */
    public static Optional<String> preflight(Path root, int euid) {
        requireRoot(root, euid, "install");
        Path file = path(root);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String existing = Files.readString(file, StandardCharsets.UTF_8);
            requireOurs(file, existing, "overwrite");
            return Optional.of(existing);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot read " + file + ": " + e);
        }
    }

    /** Removes the file if GuestAttest wrote it. */
    public static Change uninstall(Path root, int euid) {
        Path file = path(root);
        requireRoot(root, euid, "uninstall");
        try {
            if (!Files.exists(file)) {
                return Change.ABSENT;
            }
            requireOurs(file, Files.readString(file, StandardCharsets.UTF_8), "remove");
            Files.delete(file);
            return Change.REMOVED;
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot remove " + file + ": " + e);
        }
    }

    private static void requireRoot(Path root, int euid, String what) {
        if (euid != 0 && root.toAbsolutePath().normalize().getParent() == null) {
            throw AttestationException.of(Reason.PERMISSION_DENIED, "keys " + what + " changes " + path(root)
                    + ", which only root may do: run it as root, or pass --root DIR to stage the file in another tree");
        }
    }

    private static void requireOurs(Path file, String text, String what) {
        if (!text.startsWith(MARKER + "\n")) {
            throw AttestationException.of(Reason.PERMISSION_DENIED, "refusing to " + what + " " + file
                    + ": GuestAttest did not write it (its first line is not our marker); move it aside first");
        }
    }
}
