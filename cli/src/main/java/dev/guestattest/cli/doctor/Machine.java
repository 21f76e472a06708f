// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where doctor looks: every tree it reads is a parameter so tests can fake a guest. {@code root}
 * holds what has no option of its own ({@code sbin/request-key}, {@code boot/config-*}).
 */
public record Machine(Path root, Path configfsRoot, Path devDir, Path sysfsRoot, Path procRoot, Path etcRoot, Path stateDir) {
    public Machine {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(configfsRoot, "configfsRoot");
        Objects.requireNonNull(devDir, "devDir");
        Objects.requireNonNull(sysfsRoot, "sysfsRoot");
        Objects.requireNonNull(procRoot, "procRoot");
        Objects.requireNonNull(etcRoot, "etcRoot");
        Objects.requireNonNull(stateDir, "stateDir");
    }

    Path dev(String name) {
        return devDir.resolve(name);
    }

    Path proc(String relative) {
        return procRoot.resolve(relative);
    }

    Path sys(String relative) {
        return sysfsRoot.resolve(relative);
    }

    Path etc(String relative) {
        return etcRoot.resolve(relative);
    }

    Path under(String relative) {
        return root.resolve(relative);
    }
}
