// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the kernel offers: its release (each guest ABI arrived in a known release), build options,
 * file systems and CPU flags (a TD shows {@code tdx_guest}, an SNP guest {@code sev_snp}).
 */
record Kernel(Path osrelease, Optional<String> release, KernelConfig config, Optional<Set<String>> filesystems, Set<String> cpuFlags) {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    static Kernel read(Machine m) {
        Path osrelease = m.proc("sys/kernel/osrelease");
        Optional<String> release = Texts.firstLine(osrelease).filter(s -> !s.isEmpty());
        Optional<Set<String>> filesystems = Texts.read(m.proc("filesystems")).map(t -> t.lines()
                .map(l -> l.substring(l.lastIndexOf('\t') + 1).strip()).collect(Collectors.toUnmodifiableSet()));
        return new Kernel(osrelease, release, KernelConfig.read(m, release), filesystems, cpuFlags(m));
    }

    /** The first {@code flags} (x86) or {@code Features} (arm64) line of /proc/cpuinfo. */
    private static Set<String> cpuFlags(Machine m) {
        return Texts.read(m.proc("cpuinfo")).flatMap(t -> t.lines().filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                .findFirst()).map(l -> l.substring(l.indexOf(':') + 1).strip())
                .map(f -> Arrays.stream(f.split("\\s+")).collect(Collectors.toUnmodifiableSet())).orElse(Set.of());
    }

    /** Whether the release is at least major.minor; empty when the release is unknown. */
    Optional<Boolean> atLeast(int major, int minor) {
        return release.map(VERSION::matcher).filter(Matcher::find).map(v -> {
            int ma = Integer.parseInt(v.group(1));
            int mi = Integer.parseInt(v.group(2));
            return ma > major || ma == major && mi >= minor;
        });
    }

    /** " (Linux R is older than M.N)" when it is, else "". */
    String olderThan(int major, int minor) {
        return atLeast(major, minor).orElse(true) ? "" : " (Linux " + release.orElseThrow() + " is older than " + major + "." + minor + ")";
    }

    Finding finding() {
        if (release.isEmpty()) {
            return Finding.warn("kernel.version", "cannot read the kernel release from " + osrelease,
                    "mount procfs (mount -t proc proc /proc), or point --proc-root at it");
        }
        String abis = "configfs-tsm reports need 6.7+, SVSM attributes 6.10+, Arm CCA 6.13+, TDX measurement registers in sysfs 6.16+";
        String options = config.known() ? "; build options from " + config.source() : "; no /proc/config.gz or /boot/config-" + release.get();
        if (!atLeast(6, 7).orElse(true)) {
            return Finding.warn("kernel.version", "Linux " + release.get() + " predates configfs-tsm (" + abis + ")" + options,
                    "boot a guest kernel 6.7 or later (a distribution's TDX/SNP guest kernel)");
        }
        return Finding.ok("kernel.version", "Linux " + release.get() + " (" + abis + ")" + options);
    }
}
