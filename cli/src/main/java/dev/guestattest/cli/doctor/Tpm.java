// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.util.Optional;

/** The TPM as tpm/device uses it: through the kernel's resource manager /dev/tpmrm0, which lets several users share the TPM. */
final class Tpm {
    private Tpm() {
    }

    static Finding check(Machine m, Kernel k, boolean asked) {
        Optional<String> major = Texts.firstLine(m.sys("class/tpm/tpm0/tpm_version_major"));
        if (major.equals(Optional.of("1"))) {
            return Finding.fail("tpm.resource-manager", "the TPM is a TPM 1.2 (" + m.sys("class/tpm/tpm0/tpm_version_major") + " is 1)",
                    "guest-attest supports TPM 2.0 only: enable a TPM 2.0 (firmware setting, or swtpm --tpm2 for a VM)");
        }
        Optional<Node> rm = Devices.node(m, "tpmrm0");
        if (rm.isPresent()) {
            return Devices.access("tpm.resource-manager", m, rm.get(), "tpm/device");
        }
        if (Devices.node(m, "tpm0").isPresent()) {
            return Finding.warn("tpm.resource-manager", "only " + m.dev("tpm0") + ", no resource manager " + m.dev("tpmrm0")
                    + ": tpm/device needs the kernel's resource manager (Linux 4.12+, TPM 2.0)", "use a TPM 2.0 and a kernel 4.12+; "
                    + "a TPM 1.2 or a driver without the resource manager cannot serve tpm/device");
        }
        String detail = "no TPM: no " + m.dev("tpmrm0") + " or " + m.dev("tpm0") + k.config().unlessEnabled("CONFIG_TCG_TPM");
        String fix = "give the machine a TPM 2.0 (a VM: swtpm with -tpmdev emulator and -device tpm-crb), and load its driver (modprobe"
                + " tpm_crb or tpm_tis)";
        return asked ? Finding.fail("tpm.resource-manager", detail, fix) : Finding.skip("tpm.resource-manager", detail, "");
    }
}
