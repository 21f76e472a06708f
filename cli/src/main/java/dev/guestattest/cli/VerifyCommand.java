package dev.guestattest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.tdx.verify.CollateralSource;
import dev.guestattest.tdx.verify.PcsCollateralSource;
import dev.guestattest.tdx.verify.TcbStatus;
import dev.guestattest.tdx.verify.TdClaims;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify a TDX quote as Intel's QVL does, offline: PCK chain to a trusted root, CRLs, QE report, quote",
                "signature, TCB Info and QE Identity, TCB level, QE identity, DEBUG. Exit 0 trusted, 1 a check failed, 2 bad input."})
final class VerifyCommand implements Callable<Integer> {
    /** Quotes are a few KiB; this bounds what a bad path can make us read. */
    private static final int MAX_QUOTE = 1 << 20;

    @Option(names = "--tdx", paramLabel = "QUOTE", required = true, description = "The quote (binary)")
    Path quote;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--collateral", paramLabel = "FILE|DIR",
                description = "dcap-qvl collateral JSON, or a directory of <FMSPC>.json files (guest-attest emulator collateral makes one)")
        Path collateral;

        @Option(names = "--pcs", paramLabel = "URL",
                description = "Fetch collateral from this Intel-PCS-compatible service (e.g. https://api.trustedservices.intel.com or a PCCS),"
                        + " cached in <state-dir>/collateral until its nextUpdate")
        URI pcs;
    }

    @Option(names = "--pcs-root-crl", paramLabel = "URL", description = "Root CA CRL location for --pcs (default: Intel's)")
    URI pcsRootCrl = PcsCollateralSource.INTEL_ROOT_CRL;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where --pcs caches collateral (default: $GUEST_ATTEST_STATE_DIR or ~/.guest-attest)")
    Path stateDir;

    @Option(names = "--at", paramLabel = "TIME", description = "Verify as of this instant, e.g. 2025-07-01T00:00:00Z (default: now)")
    String at;

    @Option(names = "--root", paramLabel = "PEM", description = "Also trust this root (repeatable), e.g. the emulator's")
    List<Path> roots = new ArrayList<>();

    @Option(names = "--report-data", paramLabel = "HEX", description = "The 64-byte REPORTDATA the quote must carry")
    String reportData;

    @Option(names = "--allow-debug", description = "Accept a TD with the DEBUG attribute (still reported)")
    boolean allowDebug;

    @Option(names = "--accept-tcb", paramLabel = "STATUS", split = ",",
            description = "TCB statuses that pass (default UpToDate), e.g. UpToDate,SWHardeningNeeded")
    List<String> acceptTcb = new ArrayList<>();

    @Option(names = "--json", description = "Print the result as JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Clock clock = clock();
        TdxVerifier.Builder b = TdxVerifier.builder().allowDebug(allowDebug).clock(clock);
        for (Path root : roots) {
            for (X509Certificate c : certificates(root)) {
                b.trust(c);
            }
        }
        if (!acceptTcb.isEmpty()) {
            Set<TcbStatus> statuses = EnumSet.noneOf(TcbStatus.class);
            acceptTcb.forEach(s -> statuses.add(TcbStatus.parse("--accept-tcb", s)));
            b.acceptTcbStatuses(statuses);
        }
        Optional<Bytes> expected = Optional.ofNullable(reportData).map(h -> Bytes.fromHex("--report-data", h).checkLength("--report-data", 64));
        CollateralSource collateral = source.pcs != null
                ? new PcsCollateralSource(source.pcs, pcsRootCrl, (stateDir != null ? stateDir : ProviderContext.defaultStateDir())
                        .resolve("collateral"), Duration.ofSeconds(20), clock)
                : Files.isDirectory(source.collateral) ? CollateralSource.directory(source.collateral)
                : CollateralSource.of(CollateralSource.file(source.collateral));
        TdxVerification v = b.build().verify(readQuote(), collateral, expected);
        if (json) {
            System.out.println(toJson(v).toPrettyString());
        } else {
            v.result().checks().forEach(System.out::println);
            System.out.println(v.trusted() ? "trusted" + v.tcb().map(t -> " (" + t.status() + ")").orElse("")
                    : "NOT trusted: " + v.result().firstFailure().map(Check::toString).orElse("no checks").substring(5));
        }
        return v.trusted() ? Main.OK : Main.CHECK_FAILED;
    }

    private Clock clock() {
        if (at == null) {
            return Clock.systemUTC();
        }
        try {
            return Clock.fixed(Instant.parse(at), ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw AttestationException.invalid("--at", "'" + at + "' is not an ISO-8601 instant such as 2025-07-01T00:00:00Z");
        }
    }

    private byte[] readQuote() throws IOException {
        if (!Files.isRegularFile(quote)) {
            throw AttestationException.invalid("--tdx", quote + " is not a readable file");
        }
        if (Files.size(quote) > MAX_QUOTE) {
            throw AttestationException.tooLarge("--tdx", Files.size(quote), MAX_QUOTE);
        }
        return Files.readAllBytes(quote);
    }

    private static List<X509Certificate> certificates(Path pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw AttestationException.invalid("--root", pem + " holds no certificate");
            }
            return out;
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "--root: cannot read " + pem + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("--root", pem + " is not a PEM certificate: " + e.getMessage());
        }
    }

    static ObjectNode toJson(TdxVerification v) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("trusted", v.trusted());
        n.put("verified_at", v.verifiedAt().toString());
        ArrayNode checks = n.putArray("checks");
        v.result().checks().forEach(c -> checks.addObject().put("name", c.name()).put("passed", c.passed()).put("detail", c.detail()));
        v.tcb().ifPresent(t -> {
            ObjectNode tcb = n.putObject("tcb");
            tcb.put("status", t.status().intelName());
            t.tcbDate().ifPresent(d -> tcb.put("date", d.toString()));
            ArrayNode adv = tcb.putArray("advisory_ids");
            t.advisoryIds().forEach(adv::add);
        });
        v.claims().ifPresent(c -> claims(n.putObject("claims"), c));
        v.collateral().ifPresent(d -> n.putObject("collateral").put("tcb_info_issued", d.tcbInfoIssued().toString())
                .put("tcb_info_next_update", d.tcbInfoNextUpdate().toString()).put("qe_identity_issued", d.qeIdentityIssued().toString())
                .put("qe_identity_next_update", d.qeIdentityNextUpdate().toString()));
        return n;
    }

    private static void claims(ObjectNode n, TdClaims c) {
        n.put("mrtd", c.mrTd().hex());
        ArrayNode rtmrs = n.putArray("rtmrs");
        c.rtmrs().forEach(r -> rtmrs.add(r.hex()));
        n.put("mrconfigid", c.mrConfigId().hex()).put("mrowner", c.mrOwner().hex()).put("mrownerconfig", c.mrOwnerConfig().hex())
                .put("mrseam", c.mrSeam().hex()).put("td_attributes", c.tdAttributes().hex()).put("debug", c.debug())
                .put("xfam", c.xfam().hex()).put("report_data", c.reportData().hex()).put("tee_tcb_svn", c.teeTcbSvn().hex());
    }
}
