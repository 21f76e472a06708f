// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.Providers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every module's catalog, as {@code guest-attest providers} lists it: names, descriptions and probes as before the catalogs. */
class ProviderCatalogsTest {
    @Test
    void everyModulesProvidersAreDiscoveredWithTheirDescriptions() {
        assertThat(Providers.discover().all().stream().map(f -> f.name() + " | " + f.emulated() + " | " + f.description())
                .collect(Collectors.toList())).containsExactly(
                "cca/configfs | false | Arm CCA attestation token via configfs-tsm (a realm guest with the arm-cca-guest driver)",
                "cca/emulated | true | Emulated Arm CCA realm, RMM and platform (CPAK and RAK P-384, REM0-3)",
                "cove/emulated | true | Emulated RISC-V CoVE TSM with a DICE chain (no real backend: Linux has no CoVE guest driver yet)",
                "s390/device | false | IBM Secure Execution attestation via /dev/uv (the verifier's request in setting s390.arcb)",
                "s390/emulated | true | Emulated IBM Secure Execution ultravisor (inblob = user data; the verifier's ARCB in setting s390.arcb)",
                "snp/configfs | false | AMD SEV-SNP report via configfs-tsm (Linux 6.7+ SNP guest); auxblob = certificate table",
                "snp/device | false | AMD SEV-SNP extended report and derived keys via /dev/sev-guest",
                "snp/emulated | true | Emulated AMD SEV-SNP guest and secure processor (VCEK/VLEK, certificate table, derived keys)",
                "tdx/configfs | false | Intel TDX quote via configfs-tsm (Linux 6.7+ TD guest)",
                "tdx/device | false | Intel TDX TDREPORT (not a quote) via /dev/tdx_guest TDX_CMD_GET_REPORT0",
                "tdx/emulated | true | Intel TDX emulated in software: quotes in the real v4/v5 format, signed under the emulator's own root",
                "tpm/device | false | TPM 2.0 quote via the kernel resource manager /dev/tpmrm0",
                "tpm/swtpm | true | TPM 2.0 quote from swtpm over TCP (tpm/swtpm:HOST:PORT)");
    }

    @Test
    void probesSayWhatTheySaidBefore(@TempDir Path tmp) throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        ProviderContext absent = ProviderContext.defaults().withStateDir(Path.of("/STATE")).withDeviceDir(tmp.resolve("none"))
                .withConfigfsRoot(tmp.resolve("none/cfg")).withSetting("tpm.swtpm", "127.0.0.1:" + closed);
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        for (String node : List.of("tdx_guest", "sev-guest", "uv", "tpmrm0")) {
            Files.createFile(dev.resolve(node));
        }
        ProviderContext present = absent.withDeviceDir(dev).withConfigfsRoot(Files.createDirectories(tmp.resolve("cfg")));
        String t = tmp.toString();
        assertThat(probes(absent, t)).containsExactly(
                "cca/configfs false configfs-tsm directory $T/none/cfg not found (needs Linux 6.7+ in a TEE guest, configfs mounted)",
                "cca/emulated true software realm; state in /STATE/cca",
                "cove/emulated true software TSM; state in /STATE/cove (a real CoVE backend awaits a Linux COVG driver)",
                "s390/device false $T/none/uv not found (not a Secure Execution guest)",
                "s390/emulated true software ultravisor; state in /STATE/s390",
                "snp/configfs false configfs-tsm directory $T/none/cfg not found (needs Linux 6.7+ in a TEE guest, configfs mounted)",
                "snp/device false $T/none/sev-guest not found (not an SNP guest, or sev-guest not loaded)",
                "snp/emulated true software SNP chip; state in /STATE/snp",
                "tdx/configfs false configfs-tsm directory $T/none/cfg not found (needs Linux 6.7+ in a TEE guest, configfs mounted)",
                "tdx/device false $T/none/tdx_guest not found (not a TDX guest, or tdx_guest not loaded)",
                "tdx/emulated true software TD; state in /STATE/tdx",
                "tpm/device false $T/none/tpmrm0 not found",
                // listed is not answering: a probe connects
                "tpm/swtpm false nothing answers at 127.0.0.1:" + closed + " (ConnectException: Connection refused); start swtpm socket"
                        + " --tpm2 --server type=tcp,port=PORT");
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + listening.getLocalPort();
            assertThat(probes(present.withSetting(ProviderContext.PROVIDER_ARGUMENT, at), t)).contains(
                    // a directory that is not configfs makes items without a provider: not available, and it says so
                    "cca/configfs false configfs-tsm read provider: " + READ_PROVIDER_ENOENT,
                    "s390/device true $T/dev/uv present, readable and writable",
                    "snp/configfs false configfs-tsm read provider: " + READ_PROVIDER_ENOENT,
                    "snp/device true $T/dev/sev-guest present, readable and writable",
                    "tdx/configfs false configfs-tsm read provider: " + READ_PROVIDER_ENOENT,
                    "tdx/device true device $T/dev/tdx_guest",
                    "tpm/device true $T/dev/tpmrm0 present, readable and writable",
                    "tpm/swtpm true swtpm answers at " + at);
        }
        assertThat(Files.list(tmp.resolve("cfg"))).as("the probes' items are removed").isEmpty();
    }

    private static final String READ_PROVIDER_ENOENT = dev.guestattest.core.linux.Errno.explain(dev.guestattest.core.linux.Errno.ENOENT);

    private static List<String> probes(ProviderContext context, String tmp) {
        return Providers.discover().all().stream().map(f -> line(f, context).replace(tmp, "$T")).collect(Collectors.toList());
    }

    private static String line(ProviderFactory f, ProviderContext context) {
        var a = f.probe(context);
        return f.name() + " " + a.available() + " " + a.detail();
    }
}
