// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Path;
import java.util.Optional;

/** A vendor device node's presence and whether this user may open it, judged from stat(2) and access(2) alone. */
final class Devices {
    private static final Path REAL_DEV = Path.of("/dev");

    private Devices() {
    }

    /** The finding for a node that exists: its type, then read/write access (the vendor ioctls need both). */
    static Finding access(String check, Machine m, Node node, String usedFor) {
        if (node.type().equals("directory") || node.type().equals("special file") || node.type().startsWith("unreadable")) {
            return Finding.fail(check, node.path() + " is a " + node.type() + ", not the driver's character device",
                    "remove it and reload the driver so that udev creates the node");
        }
        // Test trees fake device nodes with regular files; under the real /dev one is a leftover that hides the driver's node.
        if (!node.characterDevice() && m.devDir().equals(REAL_DEV)) {
            return Finding.warn(check, node.path() + " is a regular file, not the driver's character device (written before the driver"
                    + " loaded?)", "rm " + node.path() + " and reload the driver");
        }
        if (!node.readable() || !node.writable()) {
            return Finding.fail(check, "you (" + user() + ") lack read/write on " + node.path() + " (" + node.describe() + "), which "
                    + usedFor + " needs", accessFix(node));
        }
        return Finding.ok(check, node.path() + " present (" + node.describe() + "), read/write for " + user());
    }

    private static String accessFix(Node node) {
        boolean groupRw = (node.mode() & 0060) == 0060;
        if (groupRw && !node.group().equals("root")) {
            return "add the user to group " + node.group() + " (usermod -aG " + node.group() + " " + user() + ", then log in again)";
        }
        return "run as root: " + node.path() + " is root's only (or grant a group with a udev rule: GROUP=\"...\", MODE=\"0660\")";
    }

    static String user() {
        return System.getProperty("user.name", "this user");
    }

    static Optional<Node> node(Machine m, String name) {
        return Node.of(m.dev(name));
    }
}
