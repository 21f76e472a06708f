// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.collateral.CollateralItem;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.DirectoryStore;
import dev.guestattest.core.collateral.Document;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.SigningKey;
import dev.guestattest.snp.verify.KdsCollateral;
import dev.guestattest.snp.verify.Product;
import dev.guestattest.tdx.verify.PcsCollateral;
import dev.guestattest.tdx.verify.TrustAnchors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** guest-attest collateral fetch|show: prefetch collateral for an air-gapped site, and see what a directory holds. */
@Command(name = "collateral", mixinStandardHelpOptions = true, description = "Collateral for verifiers: prefetch it, list it.",
        subcommands = {CollateralCommand.Fetch.class, CollateralCommand.Show.class})
final class CollateralCommand {

    @Command(name = "fetch", mixinStandardHelpOptions = true, description = {"Fetch, check and keep in DIR every item a quote's or report's"
            + " verification needs (TDX: TCB Info, QE Identity, PCK and root CA CRLs; SNP: VCEK, CRL, certificate chain).",
            "Verifiers elsewhere read DIR with --collateral-dir."})
    static final class Fetch implements Callable<Integer> {
        static final class Evidence {
            @Option(names = "--tdx", paramLabel = "QUOTE", required = true, description = "A TDX quote")
            Path tdx;

            @Option(names = "--snp", paramLabel = "REPORT", required = true, description = "An SEV-SNP report")
            Path snp;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Evidence evidence;

        @Mixin
        CollateralOptions collateral;

        @Option(names = "--root", paramLabel = "PEM", description = "Also trust this root when checking what is fetched (repeatable), e.g."
                + " the emulator's")
        List<Path> roots = new ArrayList<>();

        @Option(names = "--product", paramLabel = "NAME", description = "SNP: Milan, Genoa or Turin, for a v2 report")
        String product;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to keep it (created 0700)")
        Path out;

        @Option(names = "--json", description = "Print the directory and each item fetched as JSON (schemas/collateral-fetch.schema.json)")
        boolean json;

        @Override
        public Integer call() {
            List<X509Certificate> extra = new ArrayList<>();
            for (Path r : roots) {
                extra.addAll(InputFiles.certificates("--root", r));
            }
            CollateralService service = collateral.service(new DirectoryStore(out), Clock.systemUTC());
            List<CollateralItem<?>> items = evidence.tdx != null ? tdx(AppraiseCommand.read("--tdx", evidence.tdx), extra)
                    : snp(AppraiseCommand.read("--snp", evidence.snp), extra);
            ObjectNode n = JsonNodeFactory.instance.objectNode().put("directory", out.toString());
            ArrayNode fetched = n.putArray("items");
            for (CollateralItem<?> item : items) {
                CollateralService.Collected<?> got = service.get(item);
                if (json) {
                    fetched.addObject().put("key", item.key()).put("fresh_until", got.freshUntil().toString()).put("source", got.source());
                } else {
                    System.out.println(item.key() + ": fresh until " + got.freshUntil() + " (" + got.source() + ")");
                }
            }
            if (json) {
                JsonOutput.print(n);
            }
            return Main.OK;
        }

        private static List<CollateralItem<?>> tdx(byte[] quote, List<X509Certificate> extra) {
            TrustAnchors anchors = TrustAnchors.intelAnd(extra);
            return new PcsCollateral(CollateralService.offline(), anchors).items(quote);
        }

        private List<CollateralItem<?>> snp(byte[] bytes, List<X509Certificate> extra) {
            AttestationReport r = AttestationReport.parse(bytes);
            Product p = Product.of(r, Optional.ofNullable(product), "--product");
            KdsCollateral kds = new KdsCollateral(dev.guestattest.snp.verify.AmdRoots.amdAnd(extra));
            boolean vlek = r.signingKey() == SigningKey.VLEK;
            List<CollateralItem<?>> items = new ArrayList<>(List.of(kds.crl(p, vlek), kds.certChain(p, vlek)));
            if (!vlek) { // VLEKs come from the cloud provider, never from KDS
                items.add(0, kds.vcek(p, r.chipId(), r.reportedTcb()));
            }
            return items;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "List the collateral in DIR and until when each item is fresh"
            + " (as recorded when it was checked; verifiers check every item again when they use it).")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A directory 'collateral fetch --out' wrote, or a cache (<state-dir>/collateral)")
        Path dir;

        @Option(names = "--json", description = "Print the listing as JSON (schemas/collateral-show.schema.json)")
        boolean json;

        @Override
        public Integer call() {
            if (!Files.isDirectory(dir)) {
                throw AttestationException.invalid("DIR", dir + " is not a directory");
            }
            Instant now = Instant.now();
            List<Document> all = new ArrayList<>(new DirectoryStore(dir).all());
            all.sort(Comparator.comparing(Document::key));
            if (json) {
                ArrayNode a = new ObjectMapper().createArrayNode();
                all.forEach(d -> a.addObject().put("key", d.key()).put("fresh_until", d.freshUntil().toString())
                        .put("fresh", now.isBefore(d.freshUntil())).put("fetched_at", d.fetchedAt().toString()).put("source", d.source()));
                JsonOutput.print(a);
            } else {
                all.forEach(d -> System.out.println(d.key() + "  " + (now.isBefore(d.freshUntil()) ? "fresh until " : "STALE since ")
                        + d.freshUntil() + "  (fetched " + d.fetchedAt() + " from " + d.source() + ")"));
                System.out.println(all.size() + " item(s) in " + dir);
            }
            return Main.OK;
        }
    }
}
