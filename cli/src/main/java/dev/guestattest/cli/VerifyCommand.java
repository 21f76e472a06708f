// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.cca.verify.CcaEvidenceVerifier;
import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.cca.verify.Cpak;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import dev.guestattest.snp.verify.AmdRoots;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.snp.verify.Product;
import dev.guestattest.snp.verify.SnpCertificates;
import dev.guestattest.snp.verify.SnpEvidenceVerifier;
import dev.guestattest.snp.verify.SnpVerification;
import dev.guestattest.snp.verify.SnpVerifier;
import dev.guestattest.tdx.verify.CollateralSource;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.verify.TpmEvidenceVerifier;
import dev.guestattest.tpm.verify.TpmVerifier;
import dev.guestattest.tdx.verify.PcsCollateral;
import dev.guestattest.tdx.verify.TrustAnchors;
import dev.guestattest.tdx.verify.TcbStatus;
import dev.guestattest.tdx.verify.TdClaims;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.verify.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify evidence to the vendor's roots, offline. TDX as Intel's QVL does (PCK chain, CRLs, QE report, quote",
                "signature, TCB Info and QE Identity, TCB level, QE identity, DEBUG); SEV-SNP to AMD's ARKs (chain, VCEK/VLEK TCB",
                "and chip, report signature, policy). Exit 0 trusted, 1 a check failed (the line names it), 2 bad input."})
final class VerifyCommand implements Callable<Integer> {
    /** Evidence is a few KiB; this bounds what a bad path can make us read. */
    private static final int MAX_EVIDENCE = 1 << 20;
    /** A TPMT_PUBLIC of an RSA-4096 key is under 600 bytes. */
    private static final int MAX_AK = 4096;

    @Spec
    CommandSpec spec;

    /** The TEEs whose options {@link TeeVerifyOptions#declare} added (discovered only for verify: ~30 ms of class loading). */
    private Tees tees;
    private TeeVerifyOptions options;

    @Option(names = "--tee", paramLabel = "TEE", description = "The evidence's TEE (tdx, snp, cca, cove, s390, tpm, az-snp-vtpm,"
            + " az-tdx-vtpm), the evidence file following as the argument; '--tdx FILE' is short for '--tee tdx FILE'")
    String tee;

    @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "EVIDENCE", description = "The evidence file, with --tee")
    Path evidenceFile;

    @Option(names = "--eventlog", paramLabel = "FILE", description = "TPM: a UEFI crypto-agile log that must replay to the quoted PCRs")
    Path eventlog;

    @Option(names = "--collateral", paramLabel = "FILE|DIR",
            description = "TDX: dcap-qvl collateral JSON, or a directory of <FMSPC>.json files ('emulator collateral' makes one);"
                    + " without it, collateral comes from the collateral service (--pcs, cache, --collateral-dir)")
    Path collateral;

    @Option(names = "--certs", paramLabel = "FILE|DIR",
            description = "SNP: the certificate table (auxblob), a VCEK/VLEK (DER, or PEM followed by ASK and ARK), or a directory "
                    + "with vcek.der or vlek.der and optionally cert_chain.pem; without it, the VCEK and the ARK's CRL come from the"
                    + " collateral service (--kds, cache, --collateral-dir)")
    Path certs;

    @picocli.CommandLine.Mixin
    CollateralOptions collateralOptions;

    @Option(names = "--policy", paramLabel = "FILE", description = "SNP: policy, JSON or YAML, read as strictly as the appraisal's (allow_debug,"
            + " minimum_tcb {boot_loader, tee, snp, microcode, fmc}, measurements, vmpl [0..3] (default [0]), ...; see the README)")
    Path policy;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where fetched collateral is cached (default: $GUEST_ATTEST_STATE_DIR or ~/.guest-attest)")
    Path stateDir;

    @Option(names = "--at", paramLabel = "TIME", description = "Verify as of this instant, e.g. 2025-07-01T00:00:00Z (default: now)")
    String at;

    @Option(names = "--root", paramLabel = "PEM", description = "Also trust this root (repeatable), e.g. the emulator's; for SNP the"
            + " file's first certificate is the ARK and the rest its intermediates (what 'emulator root --tee snp' prints); for TPM the"
            + " EK certificate's CA chain")
    List<Path> roots = new ArrayList<>();

    @picocli.CommandLine.Mixin
    ReportDataOptions reportData;

    @Option(names = "--allow-debug", description = "Accept a debuggable guest (TDX DEBUG, SNP policy, CCA unsecured lifecycle); still reported")
    boolean allowDebug;

    @Option(names = "--accept-tcb", paramLabel = "STATUS", split = ",",
            description = "TCB statuses that pass (default UpToDate), e.g. UpToDate,SWHardeningNeeded")
    List<String> acceptTcb = new ArrayList<>();

    @Option(names = "--json", description = "Print the result as JSON")
    boolean json;

    /** Adds the options every TEE declares; before parsing, so that they parse and show in --help. */
    void declareTeeOptions() {
        tees = Tees.discover();
        TeeVerifyOptions.declare(spec, tees);
    }

    @Override
    public Integer call() throws IOException {
        options = TeeVerifyOptions.of(spec, tees);
        Map.Entry<Tee, Path> evidence = options.evidence(Optional.ofNullable(tee), Optional.ofNullable(evidenceFile));
        if (collateral != null && !evidence.getKey().name().equals("tdx")) {
            throw AttestationException.invalid("--collateral", "applies to --tdx");
        }
        return switch (evidence.getKey().name()) {
            case "tdx" -> verifyTdx(evidence.getValue());
            case "snp" -> verifySnp(evidence.getValue());
            case "cca" -> verifyCca(evidence.getValue());
            case "tpm" -> verifyTpm(evidence.getValue());
            default -> verifyAny(evidence.getKey(), evidence.getValue());
        };
    }

    /**
     * Any TEE by what it declares: its aux parts from their files, its rules from their options,
     * --root as extra roots, judged by the appraiser. TDX, SNP, CCA and TPM take the paths above
     * for what the CLI still does for them (collateral sources, certificate forms, CPAK files, AK checks).
     */
    private Integer verifyAny(Tee tee, Path file) throws IOException {
        options.requireRoots(tee, !roots.isEmpty());
        byte[] bytes = read("--" + tee.name(), file);
        return appraised(tee.name(), bytes, options.aux(tee, MAX_EVIDENCE), policy(tee.name()), expectedReportData(), CollateralService.offline());
    }

    /** Verification by the appraiser, as a broker would make it: the TEE's verifier, with collateral from {@code collateral}. */
    private Integer appraised(String tee, byte[] bytes, Map<String, Bytes> aux, Policy.Builder p, Optional<Bytes> expected,
                              CollateralService collateral) {
        var e = new dev.guestattest.core.verify.Evidence(Optional.of(tee), Bytes.of(bytes), aux);
        Appraisal a = Appraiser.of(tees).withCollateral(collateral).appraise(e, context(p.build(), expected).withRoots(rootCertificates()));
        VerificationResult v = judged(a);
        if (json) {
            ObjectNode n = resultJson(v, a.appraisedAt());
            a.claims().ifPresent(c -> n.set("common", commonJson(c)));
            if (!a.vendorClaims().isEmpty()) {
                n.set("claims", new ObjectMapper().valueToTree(a.vendorClaims()));
            }
            JsonOutput.print(n);
        } else {
            printText(v, tee);
        }
        return Main.concluded(v);
    }

    /**
     * The options as an appraisal policy: verify answers whether evidence is genuine and meets the
     * options, judged by the same appraiser as {@code appraise}.
     */
    private Policy.Builder policy(String tee) throws IOException {
        Policy.Builder b = Policy.forVerification(tee).allowDebug(allowDebug);
        Tee declared = tees.byName("verify", tee);
        Optional<ObjectNode> rules = options.rules(declared, MAX_EVIDENCE);
        if (rules.isPresent()) {
            b.teeRules(tee, declared.rules().orElseThrow(() -> AttestationException.invalid("--" + tee, "has no rules of its own"))
                    .parse("--" + tee + " options", rules.get()));
        }
        if (!acceptTcb.isEmpty()) {
            Set<String> statuses = new java.util.HashSet<>();
            acceptTcb.forEach(s -> statuses.add(TcbStatus.parse("--accept-tcb", s).intelName()));
            b.acceptedTcbStatus(statuses);
        }
        return b;
    }

    private Appraisal judge(String tee, byte[] bytes, Map<String, Bytes> aux, VendorVerification verified, Policy.Builder policy,
                            Optional<Bytes> expected) {
        return Appraiser.of(tees).judge(tee, new dev.guestattest.core.verify.Evidence(Optional.of(tee), Bytes.of(bytes), aux), verified,
                context(policy.build(), expected));
    }

    private AppraisalContext context(Policy policy, Optional<Bytes> expected) {
        AppraisalContext ctx = AppraisalContext.of(policy, clock().instant());
        return expected.map(ctx::withReportData).orElse(ctx);
    }

    private Optional<Bytes> expectedReportData() {
        return reportData.expected();
    }

    /** TDX and SNP carry exactly 64 bytes: shorter data is bad input that says how to pad it. */
    private static Bytes fullReportData(Bytes b) {
        if (b.length() != 64) {
            throw dev.guestattest.core.AttestationException.invalid("--report-data", b.length()
                    + " bytes; the report carries exactly 64 (give --pad to zero-pad shorter data)");
        }
        return b;
    }

    private Integer verifyCca(Path file) throws IOException {
        Optional<Path> cpak = options.path("--cpak");
        if (cpak.isEmpty() && roots.isEmpty()) {
            throw AttestationException.invalid("--cpak", "CCA needs the trusted CPAK (--cpak or --root: PEM, JWK or trust-anchor JSON)");
        }
        List<Cpak> anchors = new ArrayList<>();
        if (cpak.isPresent()) {
            anchors.addAll(Cpak.parse(read("--cpak", cpak.get())));
        }
        for (Path root : roots) {
            anchors.addAll(Cpak.parse(read("--root", root)));
        }
        byte[] token = read("--cca", file);
        CcaVerifier.Result r = CcaVerifier.verify(token, anchors);
        VerificationResult v = judged(judge("cca", token, Map.of(), CcaEvidenceVerifier.of(r), policy("cca"), expectedReportData()));
        if (json) {
            ObjectNode n = resultJson(v, Instant.now());
            r.common().ifPresent(c -> n.set("common", commonJson(c)));
            r.realm().ifPresent(c -> n.set("realm", recordJson(c)));
            JsonOutput.print(n);
        } else {
            printText(v, "CCA token");
        }
        return Main.concluded(v);
    }

    private Integer verifyTpm(Path file) throws IOException {
        byte[] bytes = read("--tpm", file);
        TpmEvidence e = TpmEvidence.fromJson(bytes);
        Policy.Builder p = policy("tpm");
        Map<String, Bytes> aux = new java.util.HashMap<>();
        if (eventlog != null) {
            // replayed by the appraiser against the quoted PCRs, as every TEE's log is
            aux.put("eventlog.tcg2", Bytes.of(read("--eventlog", eventlog)));
            p.eventLog(new Policy.EventLogRule(true, List.of()));
        }
        VerificationResult verified = TpmVerifier.verify(e, pinnedAk(), rootCertificates(), clock().instant());
        VerificationResult v = judged(judge("tpm", bytes, aux, TpmEvidenceVerifier.of(e, verified), p, expectedReportData()));
        if (json) {
            JsonOutput.print(resultJson(v, Instant.now()));
        } else {
            printText(v, "TPM quote");
        }
        return Main.concluded(v);
    }

    /** Every check of the appraisal; verify trusts evidence only when all passed (a warning is not trusted). */
    private static VerificationResult judged(Appraisal a) {
        return new VerificationResult(a.checks());
    }

    /** The --ak file, checked to be a TPMT_PUBLIC so that a wrong file is bad input, not a mere mismatch. */
    private Optional<Bytes> pinnedAk() throws IOException {
        Optional<Path> ak = options.path("--ak");
        if (ak.isEmpty()) {
            return Optional.empty();
        }
        byte[] area = InputFiles.read("--ak", ak.get(), MAX_AK);
        try {
            TpmPublic.parse(area);
        } catch (AttestationException x) {
            throw AttestationException.invalid("--ak", ak.get() + " is not an AK public area (TPMT_PUBLIC): " + x.getMessage());
        }
        return Optional.of(Bytes.of(area));
    }

    private Integer verifySnp(Path file) throws IOException {
        byte[] report = read("--snp", file);
        Policy.Builder p = policy("snp");
        Optional<Bytes> expected = expectedReportData().map(VerifyCommand::fullReportData);
        if (policy != null) {
            Optional<Bytes> fromFile = SnpPolicyFile.apply(read("--policy", policy), p, allowDebug);
            expected = expected.or(() -> fromFile);
        }
        if (certs == null) {
            // the VCEK and the ARK's CRL from the collateral service (KDS, cache, --collateral-dir), as a broker gets them
            return appraised("snp", report, Map.of(), p, expected, collateralService());
        }
        AmdRoots amd = AmdRoots.amdAnd(rootCertificates());
        SnpVerification v = SnpVerifier.builder().roots(amd).clock(clock()).build().verify(report, snpCertificates());
        VerificationResult judged = judged(judge("snp", report, Map.of(), SnpEvidenceVerifier.of(v), p, expected));
        if (json) {
            ObjectNode n = resultJson(judged, v.verifiedAt());
            v.product().ifPresent(pr -> n.put("product", pr.kdsName()));
            v.claims().ifPresent(c -> n.set("common", commonJson(c.common())));
            v.claims().ifPresent(c -> n.set("claims", recordJson(c)));
            JsonOutput.print(n);
        } else {
            printText(judged, v.product().map(Product::kdsName).orElse(""));
        }
        return Main.concluded(judged);
    }

    private CollateralService collateralService() {
        return collateralOptions.service(stateDir, clock());
    }

    /** The signer and chain given with --certs: a certificate table, a VCEK/VLEK (DER, or PEM with ASK and ARK), or a directory. */
    private SnpCertificates snpCertificates() throws IOException {
        if (Files.isDirectory(InputFiles.existing("--certs", certs))) {
            Path signer = Files.exists(certs.resolve("vlek.der")) ? certs.resolve("vlek.der") : certs.resolve("vcek.der");
            List<X509Certificate> chain = Files.exists(certs.resolve("cert_chain.pem")) ? certificates(certs.resolve("cert_chain.pem")) : List.of();
            return new SnpCertificates(SnpCertificates.ofSigner(read("--certs", signer)).signer(), chain.stream().findFirst(),
                    chain.stream().skip(1).findFirst());
        }
        byte[] data = read("--certs", certs);
        if (data.length > 0 && data[0] == '-') {
            List<X509Certificate> all = certificates(certs);
            return new SnpCertificates(all.get(0), all.stream().skip(1).findFirst(), all.stream().skip(2).findFirst());
        }
        return data.length > 1 && data[0] == 0x30 && (data[1] & 0xff) == 0x82 ? SnpCertificates.ofSigner(data)
                : SnpCertificates.fromTable(CertTable.parse(data));
    }

    private void printText(VerificationResult result, String what) {
        result.checks().forEach(System.out::println);
        System.out.println(result.trusted() ? "trusted" + (what.isEmpty() ? "" : " (" + what + ")")
                : "NOT trusted: " + result.firstFailure().map(Check::toString).orElse("no checks").substring(5));
    }

    private Integer verifyTdx(Path file) throws IOException {
        Clock clock = clock();
        TdxVerifier.Builder b = TdxVerifier.builder().clock(clock);
        List<X509Certificate> extra = rootCertificates();
        extra.forEach(b::trust);
        Optional<Bytes> expected = expectedReportData().map(VerifyCommand::fullReportData);
        CollateralSource source;
        if (collateral == null) {
            CollateralService service = collateralService();
            b.grace(service.grace());
            TrustAnchors anchors = TrustAnchors.intelAnd(extra);
            source = new PcsCollateral(service, anchors);
        } else {
            InputFiles.existing("--collateral", collateral);
            source = Files.isDirectory(collateral) ? CollateralSource.directory(collateral) : CollateralSource.of(CollateralSource.file(collateral));
        }
        byte[] quote = read("--tdx", file);
        TdxVerification v = b.build().verify(quote, source);
        VerificationResult judged = judged(judge("tdx", quote, Map.of(), TdxEvidenceVerifier.of(v), policy("tdx"), expected));
        if (json) {
            JsonOutput.print(toJson(v, judged));
        } else {
            printText(judged, v.tcb().map(t -> t.status().toString()).orElse(""));
        }
        return Main.concluded(judged);
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

    private static byte[] read(String option, Path file) throws IOException {
        return InputFiles.read(option, file, MAX_EVIDENCE);
    }

    /** Every certificate of every --root file, in order. */
    private List<X509Certificate> rootCertificates() {
        List<X509Certificate> all = new ArrayList<>();
        for (Path root : roots) {
            all.addAll(certificates(root));
        }
        return all;
    }

    private static List<X509Certificate> certificates(Path pem) {
        return InputFiles.certificates("--root", pem);
    }

    /** A record as JSON: byte fields (and lists of them) as hex, empty optionals left out, nested records as objects, the rest as Jackson writes them. */
    private static ObjectNode recordJson(Record r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode();
        for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(r);
                String name = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
                if (v instanceof Optional<?> o) {
                    if (o.isEmpty()) {
                        continue;
                    }
                    v = o.get();
                }
                if (v instanceof List<?> list && list.stream().allMatch(Bytes.class::isInstance)) {
                    ArrayNode a = n.putArray(name);
                    list.forEach(x -> a.add(((Bytes) x).hex()));
                } else if (v instanceof Bytes b) {
                    n.put(name, b.hex());
                } else if (v instanceof Record nested && !(v instanceof AttestationReport.Firmware)) {
                    n.set(name, recordJson(nested));
                } else if (v instanceof AttestationReport.Firmware f) {
                    n.put(name, f.toString());
                } else {
                    n.set(name, m.valueToTree(v));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return n;
    }

    /** The claims every TEE shares, under the same names for all, next to the vendor's own. */
    private static ObjectNode commonJson(CommonClaims c) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode();
        n.put("tee", c.tee());
        n.setAll((ObjectNode) m.valueToTree(c.toMap()));
        return n;
    }

    private static ObjectNode resultJson(VerificationResult result, Instant at) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("trusted", result.trusted());
        n.put("verified_at", at.toString());
        ArrayNode checks = n.putArray("checks");
        result.checks().forEach(c -> checks.addObject().put("name", c.name()).put("passed", c.passed()).put("detail", c.detail()));
        return n;
    }

    static ObjectNode toJson(TdxVerification v, VerificationResult judged) {
        ObjectNode n = resultJson(judged, v.verifiedAt());
        v.tcb().ifPresent(t -> {
            ObjectNode tcb = n.putObject("tcb");
            tcb.put("status", t.status().intelName());
            t.tcbDate().ifPresent(d -> tcb.put("date", d.toString()));
            ArrayNode adv = tcb.putArray("advisory_ids");
            t.advisoryIds().forEach(adv::add);
        });
        v.claims().ifPresent(c -> n.set("common", commonJson(c.common())));
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
