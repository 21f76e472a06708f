// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import dev.guestattest.core.linux.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The state directory holds emulator platform keys, the appraiser's signing key and the broker's
 * key-encryption key: guest-attest creates it 0700, and anything more open leaks them.
 */
final class StateDir {
    private StateDir() {
    }

    static Finding check(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Finding.ok("state-dir", dir + " does not exist yet; guest-attest creates it 0700 on first use");
        }
        Optional<Node> node = Node.of(dir);
        if (node.isEmpty()) {
            return Finding.fail("state-dir", dir + " is a symbolic link to nothing", "remove it, or point --state-dir elsewhere");
        }
        Node n = node.get();
        if (!n.type().equals("directory")) {
            return Finding.fail("state-dir", dir + " is a " + n.type() + ", not a directory", "move it aside, or point --state-dir elsewhere");
        }
        Optional<Integer> uid = owner(dir);
        int me = Libc.geteuid();
        if (uid.isPresent() && uid.get() != me) {
            return Finding.fail("state-dir", dir + " belongs to " + n.owner() + " (uid " + uid.get() + "), not to you (" + Devices.user()
                    + ", uid " + me + ")", "chown -R " + Devices.user() + " " + dir + ", or use your own --state-dir");
        }
        if ((n.mode() & 0077) != 0) {
            return Finding.fail("state-dir", "state dir " + dir + " is mode " + n.octal() + "; must be 0700 (it holds private keys)",
                    "chmod 700 " + dir);
        }
        if (!n.writable() || !n.executable()) {
            return Finding.fail("state-dir", dir + " is mode " + n.octal() + ": you cannot write in it", "chmod 700 " + dir);
        }
        return Finding.ok("state-dir", dir + " is mode " + n.octal() + ", owned by " + n.owner());
    }

    private static Optional<Integer> owner(Path dir) {
        try {
            return Optional.of((Integer) Files.getAttribute(dir, "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
