// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.broker.CollateralSettings;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Durations;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.CollateralStore;
import dev.guestattest.core.collateral.DirectoryStore;
import dev.guestattest.core.collateral.Origins;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where verifiers get the collateral evidence does not bring (TDX TCB Info and CRLs, SNP VCEKs and
 * CRLs): Intel's PCS and AMD's KDS by default, or the services named, with a cache on disk, and
 * read-only directories for air-gapped sites. One set of options for every command that verifies.
 */
final class CollateralOptions {
    @Option(names = "--pcs", paramLabel = "URL", description = "Intel PCS API v4 or a PCCS to fetch TDX collateral from"
            + " (default: https://api.trustedservices.intel.com)")
    URI pcs;

    @Option(names = "--kds", paramLabel = "URL", description = "AMD KDS to fetch SNP VCEKs and CRLs from (default: https://kdsintf.amd.com)")
    URI kds;

    @Option(names = "--collateral-dir", paramLabel = "DIR", description = "Collateral as 'collateral fetch --out' writes it, used before"
            + " any service (repeatable; for air-gapped sites)")
    List<Path> directories = new ArrayList<>();

    @Option(names = "--offline", description = "Contact no service: collateral only from the cache, --collateral-dir and the evidence")
    boolean offline;

    @Option(names = "--collateral-grace", paramLabel = "DURATION", description = "Accept collateral this long past its nextUpdate when no"
            + " fresh copy can be had, e.g. 24h (default: none; the result says when it was used)")
    String grace;

    /** The options over {@code file}'s settings: an option given wins, a directory adds to the file's. */
    private Origins origins(CollateralSettings file) {
        if (offline && (pcs != null || kds != null)) {
            throw AttestationException.invalid("--offline", "contradicts --pcs/--kds");
        }
        if (offline || file.offline() && pcs == null && kds == null) {
            return Origins.none();
        }
        return Origins.none().with(Origins.PCS, pcs != null ? pcs : file.pcs().orElse(Origins.INTEL_PCS))
                .with(Origins.KDS, kds != null ? kds : file.kds().orElse(Origins.AMD_KDS));
    }

    /** The service with its cache in {@code <state-dir>/collateral}. */
    CollateralService service(Path stateDir, Clock clock) {
        return service(new DirectoryStore((stateDir != null ? stateDir : ProviderContext.defaultStateDir()).resolve("collateral")), clock,
                CollateralSettings.DEFAULT);
    }

    CollateralService service(CollateralStore store, Clock clock) {
        return service(store, clock, CollateralSettings.DEFAULT);
    }

    /** The service these options and a broker settings file's {@code collateral} section describe. */
    CollateralService service(CollateralStore store, Clock clock, CollateralSettings file) {
        CollateralService.Builder b = CollateralService.builder().origins(origins(file)).store(store).clock(clock);
        List<Path> all = new ArrayList<>(file.directories());
        all.addAll(directories);
        for (Path d : all) {
            if (!Files.isDirectory(d)) {
                throw AttestationException.invalid("--collateral-dir", d + " is not a directory");
            }
            b.directory(d);
        }
        if (grace != null) {
            b.grace(Durations.parse(grace).orElseThrow(() -> AttestationException.invalid("--collateral-grace", "'" + grace
                    + "' is not a duration such as 30m, 24h or 7d")));
        } else {
            file.grace().ifPresent(b::grace);
        }
        return b.build();
    }
}
