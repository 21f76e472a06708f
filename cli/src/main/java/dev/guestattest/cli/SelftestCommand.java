// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.TdxProviders;
import dev.guestattest.tdx.guest.TdxSelftest;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "The seed's TDX selftest: TDREPORT, GetQuote, status, report data. Exit 0 only when every step passes.")
final class SelftestCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--provider", paramLabel = "P", defaultValue = "tdx/device",
            description = "tdx/emulated, or tdx/device (real TD: TDREPORT via /dev/tdx_guest, quote via configfs-tsm); default ${DEFAULT-VALUE}")
    String provider;

    @picocli.CommandLine.Option(names = "--json", description = "Print the steps as JSON (schemas/selftest.schema.json)")
    boolean json;

    @Override
    public Integer call() {
        ProviderContext context = common.context();
        byte[] nonce = new byte[64];
        new SecureRandom().nextBytes(nonce);
        List<TdxSelftest.Step> steps;
        switch (provider) {
            case "tdx/emulated" -> {
                try (TdxEmulatedProvider emulator = TdxEmulatedProvider.open(context)) {
                    steps = TdxSelftest.run(emulator, Bytes.of(nonce));
                }
            }
            case "tdx/device", "tdx/configfs" -> {
                var probe = TdxProviders.DEVICE.probe(context);
                if (!probe.available()) {
                    throw AttestationException.of(Reason.UNSUPPORTED, "selftest: " + probe.detail()
                            + "; on other machines run 'guest-attest selftest --provider tdx/emulated'");
                }
                steps = TdxSelftest.run(TdxProviders.guest(context), Bytes.of(nonce));
            }
            default -> throw AttestationException.of(Reason.INVALID_ARGUMENT,
                    "--provider: selftest runs on tdx/emulated or tdx/device, not '" + provider + "'");
        }
        boolean all = steps.size() == 7 && steps.stream().allMatch(TdxSelftest.Step::passed);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("provider", provider).put("passed", all);
            var list = n.putArray("steps");
            steps.forEach(s -> list.addObject().put("name", s.name()).put("passed", s.passed()).put("detail", s.detail()));
            JsonOutput.print(n);
        } else {
            steps.forEach(s -> System.out.printf("%s  %-22s %s%n", s.passed() ? "PASS" : "FAIL", s.name(), s.detail()));
            System.out.println(all ? "selftest: all steps passed" : "selftest: FAILED");
        }
        return all ? Main.OK : Main.CHECK_FAILED;
    }
}
