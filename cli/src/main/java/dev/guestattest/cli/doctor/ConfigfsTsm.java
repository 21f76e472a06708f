// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import dev.guestattest.core.configfs.ConfigfsIo;
import dev.guestattest.core.configfs.ConfigfsReports;
import dev.guestattest.core.configfs.ErrnoException;
import dev.guestattest.core.configfs.LibcConfigfsIo;
import dev.guestattest.core.linux.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The configfs-tsm report ABI: whether its directory exists, and which {@code provider} serves it.
 * The provider is only visible inside an item, so doctor reads an existing item's, or makes a
 * private one and removes it again: mkdir, one read, rmdir — never a report (that is --try-quote).
 *
 * @param provider the kernel provider, e.g. {@code tdx_guest}; empty when none could be read
 * @param detail what was found, for the {@code configfs-tsm} line
 * @param fix what to do when there is no provider; empty otherwise
 */
record ConfigfsTsm(Path root, Optional<String> provider, String detail, String fix) {
    static final Duration LIMIT = Duration.ofSeconds(2);
    private static final String DRIVERS = "load the TEE's guest driver (modprobe tdx_guest, sev-guest or arm-cca-guest), which registers with"
            + " configfs-tsm";

    static ConfigfsTsm probe(Machine m, Kernel k) {
        Path root = m.configfsRoot();
        if (!Files.isDirectory(root)) {
            return absent(m, k);
        }
        try {
            return Bounded.within(LIMIT, "configfs", () -> providerOf(root, new LibcConfigfsIo()),
                    () -> new ConfigfsTsm(root, Optional.empty(), root + " did not answer within " + LIMIT.toSeconds()
                            + " s (the kernel holds configfs-tsm's lock while a quote is generated: a TDX quote can take 30 s, and a"
                            + " wedged one blocks every item)", "retry; if it persists, a quote is stuck in the VMM: reboot the guest"));
        } catch (RuntimeException | LinkageError e) {
            return new ConfigfsTsm(root, Optional.empty(), "doctor could not read " + root + ": " + e, "report it as a guest-attest bug");
        }
    }

    private static ConfigfsTsm absent(Machine m, Kernel k) {
        Path root = m.configfsRoot();
        Path mount = root.getParent() != null && root.getParent().getParent() != null ? root.getParent().getParent() : root;
        if (k.filesystems().isPresent() && !k.filesystems().get().contains("configfs")) {
            return new ConfigfsTsm(root, Optional.empty(), "no " + root + ": the kernel has no configfs (it is not in /proc/filesystems)"
                    + k.config().unlessEnabled("CONFIG_CONFIGFS_FS"), "use a guest kernel built with CONFIG_CONFIGFS_FS and CONFIG_TSM_REPORTS"
                    + " (Linux 6.7+)");
        }
        if (!mounted(m, mount)) {
            return new ConfigfsTsm(root, Optional.empty(), "no " + root + ": configfs is not mounted at " + mount,
                    "mount -t configfs none " + mount + " (systemd's sys-kernel-config.mount does this at boot)");
        }
        return new ConfigfsTsm(root, Optional.empty(), "no " + root + ": configfs is mounted but has no tsm/report"
                + k.olderThan(6, 7) + k.config().unlessEnabled("CONFIG_TSM_REPORTS"),
                "a guest kernel 6.7+ with CONFIG_TSM_REPORTS; " + DRIVERS);
    }

    /** Mounted when /proc/mounts lists a configfs; without /proc/mounts, when its mount point has entries. */
    private static boolean mounted(Machine m, Path mount) {
        Optional<String> mounts = Texts.read(m.proc("mounts"));
        if (mounts.isPresent()) {
            return mounts.get().lines().map(l -> l.split(" ")).anyMatch(f -> f.length > 2 && f[2].equals("configfs"));
        }
        try (Stream<Path> entries = Files.list(mount)) {
            return entries.findAny().isPresent();
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    static ConfigfsTsm providerOf(Path root, ConfigfsIo io) {
        Optional<Path> existing;
        try (Stream<Path> items = Files.list(root)) {
            existing = items.filter(i -> Files.isRegularFile(i.resolve("provider"))).sorted().findFirst();
        } catch (IOException | SecurityException e) {
            return new ConfigfsTsm(root, Optional.empty(), "cannot list " + root + ": " + e.getMessage(), "run doctor as root");
        }
        if (existing.isPresent()) {
            try {
                return found(root, io, existing.get(), "item " + existing.get().getFileName() + " that was already there");
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT) {
                    return unreadable(root, existing.get(), e.errno());
                }
                // its owner removed it meanwhile: make one of our own
            }
        }
        ConfigfsReports.ProviderProbe p = ConfigfsReports.probeProvider(io, root);
        // nobody else would notice: the item would linger in the kernel
        p.rmdirErrno().ifPresent(errno -> System.err.println("guest-attest doctor: could not remove " + p.item() + ": "
                + Errno.explain(errno) + "; rmdir it"));
        if (p.provider().isPresent()) {
            return provided(root, p.provider().get(), "a private item, removed again");
        }
        ConfigfsReports.ProviderProbe.Step failed = p.failed().orElseThrow();
        if (failed.name().equals("mkdir")) {
            return switch (failed.errno()) {
                case Errno.ENXIO -> new ConfigfsTsm(root, Optional.empty(), root + " exists but no provider is registered (mkdir: ENXIO)",
                        DRIVERS);
                case Errno.EACCES, Errno.EPERM -> new ConfigfsTsm(root, Optional.empty(), "only root may create report items in " + root
                        + " (mkdir: " + Errno.name(failed.errno()) + "), so quotes need root too", "run doctor, and guest-attest report, as root");
                default -> new ConfigfsTsm(root, Optional.empty(), "mkdir " + p.item() + ": " + Errno.explain(failed.errno()), "");
            };
        }
        if (failed.errno() == Errno.ENOENT) {
            return new ConfigfsTsm(root, Optional.empty(), root + " is a plain directory: a new item in it has no provider attribute"
                    + " (not configfs-tsm)", "point --configfs-root at the configfs-tsm report directory");
        }
        return unreadable(root, p.item(), failed.errno());
    }

    private static ConfigfsTsm found(Path root, ConfigfsIo io, Path item, String where) {
        return provided(root, new String(io.read(item.resolve("provider"), 4096), StandardCharsets.US_ASCII).strip(), where);
    }

    private static ConfigfsTsm provided(Path root, String provider, String where) {
        return new ConfigfsTsm(root, Optional.of(provider).filter(p -> !p.isEmpty()), "provider " + provider + " at " + root
                + " (read from " + where + ")", "");
    }

    private static ConfigfsTsm unreadable(Path root, Path item, int errno) {
        if (errno == Errno.ENXIO) {
            return new ConfigfsTsm(root, Optional.empty(), "item " + item.getFileName() + " in " + root
                    + " outlived its provider (provider: ENXIO): a guest driver was unloaded with items left", "rmdir the items in "
                    + root + ", then " + DRIVERS);
        }
        return new ConfigfsTsm(root, Optional.empty(), "read " + item.resolve("provider") + ": " + Errno.explain(errno), "");
    }

    /** The {@code configfs-tsm} line: a failure only where a TEE that reports through it is expected. */
    Finding finding(boolean needed) {
        if (provider.isPresent()) {
            return Finding.ok("configfs-tsm", detail);
        }
        return needed ? Finding.fail("configfs-tsm", detail, fix) : Finding.warn("configfs-tsm", detail, fix);
    }
}
