// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which TEEs this machine shows, and the signs of each: CPU flags, device nodes, the configfs-tsm
 * provider, sysfs. One sign is enough: a TD whose driver is missing still shows {@code tdx_guest}.
 *
 * @param signs per TEE found, what showed it
 */
record Detection(Map<Tee, List<String>> signs) {
    Detection {
        signs = Map.copyOf(signs);
    }

    static Detection of(Machine m, Kernel k, ConfigfsTsm tsm) {
        Map<Tee, List<String>> signs = new EnumMap<>(Tee.class);
        // An SNP host shows sev_snp too; only a guest (hypervisor flag) counts.
        boolean guest = k.cpuFlags().contains("hypervisor");
        flag(signs, Tee.TDX, k, "tdx_guest", true);
        flag(signs, Tee.SNP, k, "sev_snp", guest);
        device(signs, Tee.TDX, m, "tdx_guest");
        device(signs, Tee.SNP, m, "sev-guest");
        device(signs, Tee.S390, m, "uv");
        device(signs, Tee.TPM, m, "tpmrm0");
        device(signs, Tee.TPM, m, "tpm0");
        tsm.provider().flatMap(Tee::ofKernelProvider).ifPresent(t -> add(signs, t, "configfs-tsm provider " + tsm.provider().get()));
        if (Files.isDirectory(m.sys("module/arm_cca_guest"))) {
            add(signs, Tee.CCA, "module arm_cca_guest");
        }
        if (Texts.firstLine(m.sys("firmware/uv/prot_virt_guest")).equals(Optional.of("1"))) {
            add(signs, Tee.S390, "prot_virt_guest=1");
        }
        return new Detection(signs);
    }

    private static void flag(Map<Tee, List<String>> signs, Tee tee, Kernel k, String flag, boolean counts) {
        if (counts && k.cpuFlags().contains(flag)) {
            add(signs, tee, "CPU flag " + flag);
        }
    }

    private static void device(Map<Tee, List<String>> signs, Tee tee, Machine m, String name) {
        if (Files.exists(m.dev(name))) {
            add(signs, tee, m.dev(name).toString());
        }
    }

    private static void add(Map<Tee, List<String>> signs, Tee tee, String sign) {
        signs.computeIfAbsent(tee, t -> new ArrayList<>()).add(sign);
    }

    /** The TEEs found, in {@link Tee} order. */
    List<Tee> found() {
        return signs.keySet().stream().sorted().toList();
    }

    boolean confidentialVm() {
        return found().stream().anyMatch(t -> t != Tee.TPM);
    }

    /** The {@code tee} line: what was found, or why nothing was; {@code asked} is --tee. */
    Finding finding(Optional<Tee> asked, ConfigfsTsm tsm, Kernel k, Machine m) {
        String found = found().stream().map(t -> t.id() + " (" + String.join(", ", signs.get(t)) + ")").collect(Collectors.joining("; "));
        if (asked.isPresent()) {
            Tee tee = asked.get();
            if (tee == Tee.COVE) {
                return Finding.skip("tee", "cove: Linux has no RISC-V CoVE guest driver yet, so there is nothing to check; only cove/emulated"
                        + " works", "");
            }
            if (signs.containsKey(tee)) {
                return Finding.ok("tee", "checking " + tee.id() + " as asked: found " + found);
            }
            String why = tee == Tee.TPM ? "no tpmrm0 or tpm0 in " + m.devDir() : none(k, tsm, m);
            return Finding.fail("tee", tee.id() + " not found (" + why + ")" + (found.isEmpty() ? "" : "; found " + found),
                    "run doctor on " + machine(tee) + ", or leave out --tee to check what is here; the lines below say what is missing");
        }
        if (confidentialVm()) {
            return Finding.ok("tee", "found " + found);
        }
        if (!found.isEmpty()) {
            return Finding.warn("tee", "no confidential-VM TEE found, only " + found + " (" + none(k, tsm, m) + "): a TPM attests boot state,"
                    + " not memory confidentiality", "for TDX, SEV-SNP, Arm CCA or s390 evidence run inside such a guest");
        }
        return Finding.fail("tee", "no TEE found: " + none(k, tsm, m) + ", no TPM",
                "run inside a confidential VM (Intel TDX, AMD SEV-SNP, Arm CCA realm, IBM Secure Execution) or on a machine with a TPM;"
                        + " to develop without one, name an emulated provider (guest-attest report --provider tdx/emulated)");
    }

    private static String machine(Tee tee) {
        return switch (tee) {
            case TDX -> "an Intel TDX guest (a TD)";
            case SNP -> "an AMD SEV-SNP guest";
            case CCA -> "an Arm CCA realm";
            case S390 -> "an IBM Secure Execution guest";
            case TPM -> "a machine with a TPM 2.0";
            case COVE -> "a RISC-V CoVE guest";
        };
    }

    private static String none(Kernel k, ConfigfsTsm tsm, Machine m) {
        String flags = k.cpuFlags().isEmpty() ? "no CPU flags readable" : "CPU flags without tdx_guest or sev_snp";
        return "no configfs-tsm provider, no tdx_guest, sev-guest or uv in " + m.devDir() + ", " + flags;
    }
}
