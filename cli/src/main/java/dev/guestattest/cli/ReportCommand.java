// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportRequest;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Turn up to 64 bytes of caller data into signed evidence (the configfs-tsm report ABI).")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @ArgGroup(exclusive = false, multiplicity = "1")
    InblobOptions inblob;

    @Option(names = "--provider", paramLabel = "P", description = "<tee>/<backend>, e.g. tdx/emulated; default: the real TEE found here")
    String provider;

    @Option(names = "--privlevel", paramLabel = "N", description = "Privilege level 0..3 (SEV-SNP VMPL)", defaultValue = "0")
    int privlevel;

    @Option(names = "--quote-version", paramLabel = "4|5", description = "TDX emulator quote version (default ${DEFAULT-VALUE})",
            defaultValue = "4")
    String quoteVersion;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the evidence (outblob); - for stdout")
    Path out;

    @Option(names = "--auxblob", paramLabel = "FILE", description = "Where to write the auxblob, if the provider makes one")
    Path auxblob;

    @Option(names = "--json", description = "Print a JSON summary instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        java.io.PrintStream summary = OutputFiles.summary(json, out, auxblob);
        ReportRequest request = ReportRequest.builder().inblob(inblob.bytes()).privlevel(privlevel).build();
        ProviderContext context = common.context().withSetting("tdx.quote-version", quoteVersion);
        Report report;
        try (ProviderSession session = ProviderSession.open(Optional.ofNullable(provider), context)) {
            report = session.report(request);
        }
        OutputFiles.write("--out", out, report.outblob().toArray());
        if (auxblob != null) {
            OutputFiles.write("--auxblob", auxblob, report.auxblob().toArray());
        }
        String sha = HexFormat.of().formatHex(sha256(report.outblob().toArray()));
        if (json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("provider", report.provider());
            n.put("generation", report.generation());
            n.put("outblob", OutputFiles.toStdout(out) ? "-" : out.toAbsolutePath().toString());
            n.put("outblob_bytes", report.outblob().length());
            n.put("outblob_sha256", sha);
            n.put("auxblob_bytes", report.auxblob().length());
            n.put("manifestblob_bytes", report.manifestblob().length());
            n.put("inblob", HexFormat.of().formatHex(request.inblob().toArray()));
            JsonOutput.print(n);
        } else {
            summary.printf("%s: wrote %d bytes of evidence to %s (sha256 %s)%n", report.provider(),
                    report.outblob().length(), out, sha);
        }
        return Main.OK;
    }

    static byte[] sha256(byte[] data) {
        return dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(data);
    }
}
