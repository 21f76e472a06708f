// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.cli.doctor.Diagnosis;
import dev.guestattest.cli.doctor.Doctor;
import dev.guestattest.cli.doctor.DoctorOptions;
import dev.guestattest.cli.doctor.Machine;
import dev.guestattest.cli.doctor.Tee;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.collateral.Origins;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * guest-attest doctor (issue 21): why a quote cannot be had here, one line per finding with what to
 * do. It reads files and stats device nodes; it opens no device, makes no report unless
 * --try-quote, and bounds every probe. Exit 0 nothing failed, 1 a check failed, 2 bad options.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, description = {"Check this machine for each TEE as a support engineer would:"
        + " kernel, configfs-tsm and its provider, device nodes and permissions, the TDX quote path (configfs-tsm or the vsock QGS),"
        + " the TPM resource manager, keyutils and the request-key rule, the state directory, and whether the broker, PCS and KDS can"
        + " be reached. One line per finding: OK, WARN, FAIL or SKIP, and what to do.",
        "Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 for bad options."})
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "The tree to check (default ${DEFAULT-VALUE}); the"
            + " other roots default to places in it, so a test can fake a whole guest")
    Path root;

    @Option(names = "--configfs-root", paramLabel = "DIR", description = "configfs-tsm report directory (default ROOT/sys/kernel/config/tsm/report)")
    Path configfsRoot;

    @Option(names = "--dev-dir", paramLabel = "DIR", description = "Where vendor devices live (default ROOT/dev)")
    Path devDir;

    @Option(names = "--sysfs-root", paramLabel = "DIR", description = "sysfs (default ROOT/sys)")
    Path sysfsRoot;

    @Option(names = "--proc-root", paramLabel = "DIR", description = "procfs (default ROOT/proc)")
    Path procRoot;

    @Option(names = "--etc-root", paramLabel = "DIR", description = "/etc: request-key.d, tdx-attest.conf, guest-attest/*.env (default ROOT/etc)")
    Path etcRoot;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The state directory to check. Default: $GUEST_ATTEST_STATE_DIR or"
            + " ~/.guest-attest")
    Path stateDir;

    @Option(names = "--tee", paramLabel = "TEE", description = "Check only this TEE, and fail when it is absent: tdx, snp, cca, s390, tpm or cove")
    String tee;

    @Option(names = "--broker", paramLabel = "URL", description = "A key broker to reach (besides any the request-key rule and"
            + " /etc/guest-attest/*.env name)")
    URI broker;

    @Option(names = "--pcs", paramLabel = "URL", description = "An Intel PCS or PCCS to reach")
    URI pcs;

    @Option(names = "--kds", paramLabel = "URL", description = "An AMD KDS to reach")
    URI kds;

    @Option(names = "--collateral", description = "Also reach Intel's PCS and AMD's KDS (where --pcs and --kds do not name others)")
    boolean collateral;

    @Option(names = "--try-quote", description = "Ask configfs-tsm for one real report (a zero nonce), bounded by --timeout: the only way a"
            + " guest can tell the host's quoting service works")
    boolean tryQuote;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "35", description = "Bound on --try-quote's report"
            + " (default ${DEFAULT-VALUE}; the kernel itself gives a TDX quote 30 s)")
    long timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON document (schemas/doctor.schema.json) instead of lines")
    boolean json;

    @Override
    public Integer call() {
        DoctorOptions options = options();
        Diagnosis d = Doctor.run(machine(), options);
        if (json) {
            JsonOutput.print(d.json());
        } else {
            d.lines().forEach(System.out::println);
        }
        return d.failed() ? Main.CHECK_FAILED : Main.OK;
    }

    private Machine machine() {
        return new Machine(root, or(configfsRoot, "sys/kernel/config/tsm/report"), or(devDir, "dev"), or(sysfsRoot, "sys"),
                or(procRoot, "proc"), or(etcRoot, "etc"), stateDir != null ? stateDir : ProviderContext.defaultStateDir());
    }

    private Path or(Path given, String underRoot) {
        return given != null ? given : root.resolve(underRoot);
    }

    private DoctorOptions options() {
        Optional<Tee> only = Optional.empty();
        if (tee != null) {
            only = Optional.of(Tee.parse(tee).orElseThrow(() -> AttestationException.invalid("--tee", "'" + tee + "' is not one of "
                    + Tee.ids())));
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 600) {
            throw AttestationException.invalid("--timeout", timeoutSeconds + " is outside 1..600 seconds");
        }
        List<DoctorOptions.Service> services = new ArrayList<>();
        if (broker != null) {
            services.add(new DoctorOptions.Service("broker", http("--broker", broker), "--broker"));
        }
        if (pcs != null || collateral) {
            services.add(new DoctorOptions.Service("pcs", pcs != null ? http("--pcs", pcs) : Origins.INTEL_PCS,
                    pcs != null ? "--pcs" : "Intel's, --collateral"));
        }
        if (kds != null || collateral) {
            services.add(new DoctorOptions.Service("kds", kds != null ? http("--kds", kds) : Origins.AMD_KDS,
                    kds != null ? "--kds" : "AMD's, --collateral"));
        }
        return new DoctorOptions(only, services, tryQuote, Duration.ofSeconds(timeoutSeconds));
    }

    /** An http(s) URL with a host, or bad input naming the option. */
    private static URI http(String option, URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw AttestationException.invalid(option, "'" + uri + "' is not an http:// or https:// URL with a host");
        }
        return uri;
    }
}
