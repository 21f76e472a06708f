// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Providers;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.kernel.LogonKeys;
import dev.guestattest.keys.kernel.StagedKeys;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import dev.guestattest.snp.guest.SnpGuest;
import dev.guestattest.snp.verify.KdsCollateral;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.snp.verify.Product;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "snp", mixinStandardHelpOptions = true, description = "AMD SEV-SNP: derived keys and certificates.",
        subcommands = {SnpCommand.DeriveKey.class, SnpCommand.Certs.class})
final class SnpCommand {
    @Command(name = "derive-key", mixinStandardHelpOptions = true,
            description = {"SNP_GET_DERIVED_KEY: a 32-byte key bound to the chip or VM, the VMPL and chosen launch fields.",
                    "It goes to a file readable by its owner only, or into the kernel as a logon key; never to the terminal."})
    static final class DeriveKey implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--provider", paramLabel = "P", defaultValue = "snp/device", description = "snp/device or snp/emulated (default ${DEFAULT-VALUE})")
        String provider;

        @Option(names = "--root-key", paramLabel = "vcek|vmrk", defaultValue = "vcek", description = "Root key (default ${DEFAULT-VALUE})")
        String rootKey;

        @Option(names = "--fields", paramLabel = "F", split = ",",
                description = "Launch fields to mix in: policy, image, family, measurement, svn, tcb")
        List<String> fields = new ArrayList<>();

        @Option(names = "--vmpl", paramLabel = "N", defaultValue = "0", description = "VMPL, at least the guest's own (default ${DEFAULT-VALUE})")
        int vmpl;

        @Option(names = "--guest-svn", paramLabel = "N", defaultValue = "0", description = "Guest SVN, at most the launch's")
        long guestSvn;

        @Option(names = "--tcb", paramLabel = "HEX", defaultValue = "0", description = "TCB_VERSION (u64 hex), at most the committed TCB")
        String tcb;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--out", paramLabel = "FILE", description = "Write the key here (mode 0600); - for stdout, e.g. to pipe it on")
            Path out;

            @Option(names = "--logon", paramLabel = "DESC", description = "Add the key to the kernel as a logon key <subclass>:<name>")
            String logon;
        }

        @Option(names = "--keyring", paramLabel = "RING", defaultValue = "@u", description = "Keyring for --logon (default ${DEFAULT-VALUE})")
        String keyring;

        @Override
        public Integer call() throws Exception {
            int root = switch (rootKey) {
                case "vcek" -> 0;
                case "vmrk" -> 1;
                default -> throw AttestationException.invalid("--root-key", "'" + rootKey + "'; must be vcek or vmrk");
            };
            if (vmpl < 0 || vmpl > 3) {
                throw AttestationException.invalid("--vmpl", vmpl + " is outside 0..3");
            }
            long mask = 0;
            List<String> names = List.of("policy", "image", "family", "measurement", "svn", "tcb");
            for (String f : fields) {
                int bit = names.indexOf(f);
                if (bit < 0) {
                    throw AttestationException.invalid("--fields", "'" + f + "'; known: " + String.join(", ", names));
                }
                mask |= 1L << bit;
            }
            TcbVersion tcbVersion;
            try {
                tcbVersion = new TcbVersion(Long.parseUnsignedLong(tcb.startsWith("0x") ? tcb.substring(2) : tcb, 16));
            } catch (NumberFormatException e) {
                throw AttestationException.invalid("--tcb", "'" + tcb + "' is not a hex u64");
            }
            ProviderContext context = common.context();
            int ring = KeyringId.parse(keyring);
            if (target.logon != null) {
                StagedKeys.requireOutlivesProcess(ring);
            }
            ReportProvider p = Providers.discover().byName(provider).create(context);
            try {
                if (!(p instanceof SnpGuest guest)) {
                    throw AttestationException.of(Reason.UNSUPPORTED, provider + " cannot derive keys; use snp/device or snp/emulated");
                }
                byte[] key = guest.derivedKey(root, mask, vmpl, guestSvn, tcbVersion);
                Secret secret = Secret.copyOf(key);
                Arrays.fill(key, (byte) 0);
                try {
                    if (target.out != null) {
                        java.io.PrintStream summary = OutputFiles.summary(false, target.out);
                        secret.apply(b -> {
                            OutputFiles.write("--out", target.out, b, true);
                            return null;
                        });
                        summary.println("wrote a 32-byte derived key to " + target.out + " (mode 0600)");
                    } else {
                        int serial = LogonKeys.add(target.logon, secret, ring, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO);
                        System.out.println(serial);
                    }
                } finally {
                    secret.destroy();
                }
            } finally {
                if (p instanceof AutoCloseable c) {
                    c.close();
                }
            }
            return Main.OK;
        }
    }

    @Command(name = "certs", mixinStandardHelpOptions = true, description = "Certificates from AMD's KDS.",
            subcommands = {Fetch.class})
    static final class Certs {
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Fetch the VCEK for a report and its product's ASK/ARK chain into DIR (vcek.der, cert_chain.pem), cached.")
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--report", paramLabel = "FILE", required = true, description = "The SNP report whose chip and TCB select the VCEK")
        Path report;

        @picocli.CommandLine.Mixin
        CollateralOptions collateral;

        @Option(names = "--root", paramLabel = "PEM", description = "Also trust this ARK and its intermediates when checking what is fetched"
                + " (what 'emulator root --tee snp' prints)")
        Path root;

        @Option(names = "--product", paramLabel = "NAME", description = "Milan, Genoa or Turin (needed for v2 reports)")
        String product;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to write vcek.der and cert_chain.pem")
        Path out;

        @Option(names = "--json", description = "Print the product, directory and files as JSON (schemas/snp-certs-fetch.schema.json)")
        boolean json;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the collateral cache lives (default: $GUEST_ATTEST_STATE_DIR or ~/.guest-attest)")
        Path stateDir;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(report) || Files.size(report) != AttestationReport.SIZE) {
                throw AttestationException.invalid("--report", report + " is not a " + AttestationReport.SIZE + "-byte SNP report");
            }
            AttestationReport r = AttestationReport.parse(Files.readAllBytes(report));
            Product p = Product.of(r, java.util.Optional.ofNullable(product), "--product");
            CollateralService service = collateral.service(stateDir, Clock.systemUTC());
            KdsCollateral kds = new KdsCollateral(root == null ? AmdRoots.amd() : AmdRoots.amdAnd(InputFiles.certificates("--root", root)));
            OutputFiles.write("--out", out.resolve("vcek.der"), service.get(kds.vcek(p, r.chipId(), r.reportedTcb())).value());
            OutputFiles.write("--out", out.resolve("cert_chain.pem"), service.get(kds.certChain(p, false)).value());
            if (json) {
                var n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("product", p.kdsName())
                        .put("directory", out.toString());
                n.putArray("files").add("vcek.der").add("cert_chain.pem");
                JsonOutput.print(n);
            } else {
                System.out.println("wrote vcek.der and cert_chain.pem for " + p.kdsName() + " to " + out);
            }
            return Main.OK;
        }
    }
}
