// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.pki.Pem;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.ear.AppraiserKey;
import dev.guestattest.verify.ear.EarSigner;
import dev.guestattest.verify.policy.Policy;
import dev.guestattest.verify.policy.ReferenceValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** guest-attest appraise: any evidence, one policy, one answer (exit 0 only when affirming). */
@Command(name = "appraise", mixinStandardHelpOptions = true,
        description = {"Appraise evidence from any TEE against a policy: status, AR4SI trust vector, every check by name;",
                "optionally a signed EAR JWT. Exit 0 only when affirming."})
final class AppraiseCommand implements Callable<Integer> {
    static final long MAX_FILE = 16L << 20;

    /** The evidence and what it needs, shared with 'policy init'. */
    static final class Input {
        @Option(names = {"--tee", "--format"}, paramLabel = "TEE", description = "The evidence's TEE: tdx, snp, cca, cove, s390, tpm,"
                + " az-snp-vtpm, az-tdx-vtpm (default: detected from the bytes; --format is the older name)")
        String format;

        @Option(names = "--aux", paramLabel = "NAME=FILE", description = "An auxiliary part (repeatable): collateral=FILE (TDX), "
                + "certs=FILE (SNP table or VCEK), cpak=FILE (CCA), secret=FILE and image=FILE (s390), ak=FILE (TPM: the pinned AK public area)")
        Map<String, Path> aux = new HashMap<>();

        @Option(names = "--root", paramLabel = "PEM", description = "Also trust this root (repeatable), e.g. an emulator's")
        List<Path> roots = new ArrayList<>();

        @Option(names = "--at", paramLabel = "TIME", description = "Appraise as of this instant (default: now)")
        String at;

        Evidence evidence(Path evidence) {
            Map<String, Bytes> parts = new HashMap<>();
            aux.forEach((name, file) -> parts.put(name, Bytes.of(read("--aux " + name, file))));
            return new Evidence(Optional.ofNullable(format), Bytes.of(read("EVIDENCE", evidence)), parts);
        }

        Instant instant() {
            try {
                return at == null ? Instant.now() : Instant.parse(at);
            } catch (DateTimeParseException e) {
                throw AttestationException.invalid("--at", "'" + at + "' is not an ISO-8601 instant such as 2025-07-01T00:00:00Z");
            }
        }

        List<X509Certificate> roots() {
            List<X509Certificate> out = new ArrayList<>();
            roots.forEach(p -> out.addAll(InputFiles.certificates("--root", p)));
            return out;
        }
    }

    @Parameters(index = "0", paramLabel = "EVIDENCE", description = "The evidence file (quote, report, token)")
    Path evidence;

    @Mixin
    Input input;

    @Option(names = "--policy", paramLabel = "FILE", required = true, description = "The appraisal policy (JSON or YAML)")
    Path policy;

    @Option(names = "--reference-values", paramLabel = "FILE", description = "A reference-value store (JSON, each value with who added it and when)")
    Path referenceValues;

    @Mixin
    ReportDataOptions reportData;

    @Option(names = "--ear-out", paramLabel = "FILE", description = "Write the result as an EAR signed with the appraiser's key; - for stdout")
    Path earOut;

    @Option(names = "--ear-format", paramLabel = "F", defaultValue = "jwt", description = "jwt (default) or cbor (COSE_Sign1 over a CWT)")
    String earFormat;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the appraiser's key lives (default: $GUEST_ATTEST_STATE_DIR or ~/.guest-attest)")
    Path stateDir;

    @Option(names = "--json", description = "Print the appraisal as JSON")
    boolean json;

    @picocli.CommandLine.Mixin
    CollateralOptions collateral;

    @Override
    public Integer call() throws IOException {
        if (!earFormat.equals("jwt") && !earFormat.equals("cbor")) {
            throw dev.guestattest.core.AttestationException.invalid("--ear-format", "'" + earFormat + "' is not jwt or cbor");
        }
        Policy p = Policy.parse(read("--policy", policy));
        AppraisalContext ctx = AppraisalContext.of(p, input.instant()).withRoots(input.roots());
        if (referenceValues != null) {
            ctx = ctx.withStore(ReferenceValues.parse(read("--reference-values", referenceValues)));
        }
        Optional<Bytes> expected = reportData.expected();
        if (expected.isPresent()) {
            ctx = ctx.withReportData(expected.get());
        }
        Appraisal a = Appraiser.discover().withCollateral(collateral.service(stateDir, java.time.Clock.fixed(input.instant(),
                java.time.ZoneOffset.UTC))).appraise(input.evidence(evidence), ctx);
        java.io.PrintStream summary = OutputFiles.summary(json, earOut);
        if (earOut != null) {
            EarSigner signer = new EarSigner(AppraiserKey.load(appraiserDir(stateDir)));
            OutputFiles.write("--ear-out", earOut, earFormat.equals("cbor") ? signer.signCbor(a, expected)
                    : signer.sign(a, expected).getBytes(StandardCharsets.US_ASCII));
        }
        if (json) {
            JsonOutput.print(a.toJson());
        } else {
            a.checks().forEach(summary::println);
            summary.println(a.status().earName() + " (" + a.format() + ", policy " + a.policyId() + ") " + a.trustVector().values());
        }
        return exitCode(a);
    }

    /** 0 affirming, 4 warning; otherwise as verify: malformed evidence 2, a check not makeable here 3, else 1. */
    static int exitCode(Appraisal a) {
        return switch (a.status()) {
            case AFFIRMING -> Main.OK;
            case WARNING -> Main.WARNING;
            case NONE, CONTRAINDICATED -> {
                int byFailure = Main.concluded(new dev.guestattest.core.verify.VerificationResult(a.checks()));
                yield byFailure == Main.OK ? Main.CHECK_FAILED : byFailure;
            }
        };
    }

    static Path appraiserDir(Path stateDir) {
        return (stateDir != null ? stateDir : ProviderContext.defaultStateDir()).resolve("appraiser");
    }

    static byte[] read(String option, Path file) {
        return InputFiles.read(option, file, MAX_FILE);
    }

    /** guest-attest appraiser key: the public key relying parties verify EAR tokens with. */
    @Command(name = "appraiser", mixinStandardHelpOptions = true, description = "The appraiser's EAR signing key.",
            subcommands = AppraiserCommand.Key.class)
    static final class AppraiserCommand {
        @Command(name = "key", mixinStandardHelpOptions = true, description = "Print the public key that verifies EAR tokens (PEM)")
        static final class Key implements Callable<Integer> {
            @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the appraiser's key lives")
            Path stateDir;

            @Override
            public Integer call() {
                System.out.print(Pem.encode("PUBLIC KEY", AppraiserKey.load(appraiserDir(stateDir)).getPublic().getEncoded()));
                return Main.OK;
            }
        }
    }

    /** guest-attest policy init: a policy whose reference values are this evidence's measurements, debug off. */
    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Appraisal policies.", subcommands = PolicyCommand.Init.class)
    static final class PolicyCommand {
        @Command(name = "init", mixinStandardHelpOptions = true,
                description = "Write a policy that accepts exactly this evidence's TEE and measurements (initial and every runtime"
                        + " register), with debug off required. The evidence must verify.")
        static final class Init implements Callable<Integer> {
            @Option(names = "--from", paramLabel = "EVIDENCE", required = true, description = "Evidence from the guest to trust")
            Path from;

            @Mixin
            Input input;

            @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the policy; - for stdout")
            Path out;

            @Override
            public Integer call() {
                Evidence e = input.evidence(from);
                Appraiser appraiser = Appraiser.discover();
                Policy probe = Policy.parse(("{\"id\": \"probe\", \"tees\": " + new ObjectMapper().valueToTree(appraiser.formats())
                        + ", \"allow_debug\": true}").getBytes(StandardCharsets.UTF_8));
                Appraisal a = appraiser.appraise(e, AppraisalContext.of(probe, input.instant()).withRoots(input.roots()));
                if (a.claims().isEmpty() || a.trustVector().instanceIdentity() != 2) {
                    System.out.println(a.failures().stream().findFirst().map(Check::toString).orElse("the evidence did not verify"));
                    return Main.CHECK_FAILED;
                }
                var c = a.claims().get();
                ObjectNode n = new ObjectMapper().createObjectNode();
                n.put("id", a.format() + "-" + from.getFileName());
                n.putArray("tees").add(a.format());
                n.put("allow_debug", false);
                // the VMPL of the evidence the operator vouches for; without it the default [0] would refuse that very evidence
                c.vmpl().ifPresent(v -> n.putArray("vmpl").add(v));
                ObjectNode rv = n.putObject("reference_values");
                c.initialMeasurement().ifPresent(m -> rv.putArray("initial_measurement").add(m.hex()));
                ObjectNode regs = rv.putObject("runtime_registers");
                c.runtimeRegisters().forEach((k, v) -> regs.putArray(k).add(v.hex()));
                java.io.PrintStream summary = OutputFiles.summary(false, out);
                OutputFiles.write("--out", out, n.toPrettyString().getBytes(StandardCharsets.UTF_8));
                summary.println("wrote " + out + ": " + a.format() + ", initial measurement and " + c.runtimeRegisters().size()
                        + " runtime registers, debug off" + c.vmpl().map(v -> ", VMPL " + v).orElse(""));
                return Main.OK;
            }
        }
    }
}
