// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The confidential-VM guests' own checks: their device nodes and whether configfs-tsm is served by their driver. */
final class Guests {
    private Guests() {
    }

    /** {@code <tee>.configfs}: whether configfs-tsm's provider is this TEE's driver. */
    static Finding configfs(Tee tee, ConfigfsTsm tsm, Kernel k) {
        String check = tee.id() + ".configfs";
        String wanted = tee.kernelProvider().orElseThrow();
        String backend = tee.id() + "/configfs";
        if (tsm.provider().equals(Optional.of(wanted))) {
            return Finding.ok(check, "configfs-tsm is served by " + wanted + ": " + backend + " can ask for evidence");
        }
        if (tsm.provider().isPresent()) {
            String other = tsm.provider().get();
            return Finding.fail(check, "configfs-tsm is served by " + other + ", not " + wanted + " (only one provider can register)",
                    "this guest is " + Tee.ofKernelProvider(other).map(Tee::id).orElse(other) + ", not " + tee.id()
                            + ": use its provider (guest-attest providers lists them)");
        }
        String driver = switch (tee) {
            case TDX -> "modprobe tdx_guest (CONFIG_TDX_GUEST_DRIVER)" + k.config().unlessEnabled("CONFIG_TDX_GUEST_DRIVER");
            case SNP -> "modprobe sev-guest (CONFIG_SEV_GUEST)" + k.config().unlessEnabled("CONFIG_SEV_GUEST");
            case CCA -> "modprobe arm-cca-guest (CONFIG_ARM_CCA_GUEST, Linux 6.13+)" + k.olderThan(6, 13)
                    + k.config().unlessEnabled("CONFIG_ARM_CCA_GUEST");
            default -> throw new IllegalArgumentException(tee + " has no configfs-tsm provider");
        };
        return Finding.fail(check, "configfs-tsm shows no provider (see the configfs-tsm line), so " + backend + " cannot ask for evidence",
                tsm.fix().isEmpty() ? driver : tsm.fix() + "; for " + tee.id() + ": " + driver);
    }

    static Finding tdxDevice(Machine m, ConfigfsTsm tsm, Kernel k) {
        Optional<Node> node = Devices.node(m, "tdx_guest");
        if (node.isPresent()) {
            return Devices.access("tdx.device", m, node.get(), "tdx/device (TDREPORT) and the selftest");
        }
        if (tsm.provider().equals(Optional.of("tdx_guest"))) {
            return Finding.warn("tdx.device", "no " + m.dev("tdx_guest") + " although tdx_guest serves configfs-tsm: quotes work, TDREPORTs"
                    + " (tdx/device, selftest) do not", "udevadm trigger, or reload the driver (modprobe -r tdx_guest; modprobe tdx_guest)");
        }
        return Finding.fail("tdx.device", "no " + m.dev("tdx_guest") + ": the tdx_guest driver is not loaded"
                + k.config().unlessEnabled("CONFIG_TDX_GUEST_DRIVER"), "load the tdx_guest module (modprobe tdx_guest); the guest kernel"
                + " needs CONFIG_TDX_GUEST_DRIVER");
    }

    static Finding snpDevice(Machine m, ConfigfsTsm tsm, Kernel k) {
        Optional<Node> node = Devices.node(m, "sev-guest");
        if (node.isPresent()) {
            return Devices.access("snp.device", m, node.get(), "snp/device and snp derive-key");
        }
        if (tsm.provider().equals(Optional.of("sev_guest"))) {
            return Finding.warn("snp.device", "no " + m.dev("sev-guest") + " although sev_guest serves configfs-tsm: reports work, derived"
                    + " keys (snp derive-key) and snp/device do not", "udevadm trigger, or reload the driver (modprobe -r sev-guest;"
                    + " modprobe sev-guest)");
        }
        String azure = Files.exists(m.dev("tpmrm0")) ? "; on Azure and Hyper-V confidential VMs there is no /dev/sev-guest: the report"
                + " comes from the vTPM (az-snp-vtpm evidence)" : "";
        return Finding.fail("snp.device", "no " + m.dev("sev-guest") + ": the sev-guest driver is not loaded"
                + k.config().unlessEnabled("CONFIG_SEV_GUEST") + azure, "load the sev-guest module (modprobe sev-guest); the guest kernel"
                + " needs CONFIG_SEV_GUEST");
    }

    static Finding s390Device(Machine m, Kernel k) {
        Optional<String> guest = Texts.firstLine(m.sys("firmware/uv/prot_virt_guest"));
        if (guest.equals(Optional.of("0"))) {
            return Finding.fail("s390.device", "not a Secure Execution guest (" + m.sys("firmware/uv/prot_virt_guest") + " is 0)",
                    "boot the guest from a Secure Execution image (genprotimg / pvimg create)");
        }
        Optional<Node> node = Devices.node(m, "uv");
        if (node.isPresent()) {
            return Devices.access("s390.device", m, node.get(), "s390/device (UVIO_IOCTL_ATT)");
        }
        return Finding.fail("s390.device", "no " + m.dev("uv") + ": the uvdevice driver is not loaded" + k.config().unlessEnabled(
                "CONFIG_S390_UV_UAPI"), "load it (modprobe uvdevice); the kernel needs CONFIG_S390_UV_UAPI");
    }

    /** The TDX measurement registers in sysfs (Linux 6.16+), which guest-attest mr --sysfs reads and extends. */
    static Finding tdxMeasurements(Machine m, Kernel k) {
        Path dir = m.sys("devices/virtual/misc/tdx_guest/measurements");
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(files::add);
        } catch (java.io.IOException | SecurityException e) {
            if (!k.atLeast(6, 16).orElse(true)) {
                return Finding.skip("tdx.measurements", "no " + dir + ": RTMRs in sysfs need Linux 6.16+" + k.olderThan(6, 16),
                        "read RTMRs from a quote instead, or boot 6.16+ for guest-attest mr --sysfs");
            }
            return Finding.warn("tdx.measurements", "no " + dir + " (tdx_guest exposes the RTMRs there on Linux 6.16+)",
                    "load tdx_guest (modprobe tdx_guest)");
        }
        return Finding.ok("tdx.measurements", dir + ": " + String.join(" ", files));
    }
}
