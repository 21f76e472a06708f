// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Providers;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.MeasurementLog;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.tdx.guest.TdxSysfsRegisters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mr", mixinStandardHelpOptions = true,
        description = "Measurement registers (tsm-mr): list, read, and extend with an event logged first (CEL-TLV, fsync'd).",
        subcommands = {MrCommand.ListCmd.class, MrCommand.Read.class, MrCommand.Extend.class})
final class MrCommand {
    /** Where the registers come from: a provider, or the TDX sysfs group. */
    static final class Target {
        @Mixin
        CommonOptions common;

        @Option(names = "--provider", paramLabel = "P", description = "tdx/emulated, tpm/swtpm:HOST:PORT, tpm/device")
        String provider;

        @Option(names = "--sysfs", paramLabel = "DIR", description = "A TD's measurements directory (default "
                + "/sys/devices/virtual/misc/tdx_guest/measurements) instead of a provider")
        Path sysfs;

        MeasurementRegisters open() {
            if (sysfs != null || provider == null) {
                return new TdxSysfsRegisters(sysfs != null ? sysfs : TdxSysfsRegisters.DEFAULT);
            }
            String name = provider;
            ProviderContext c = common.context();
            int colon = name.indexOf(':');
            if (colon > 0) {
                c = c.withSetting(ProviderContext.PROVIDER_ARGUMENT, name.substring(colon + 1));
                name = name.substring(0, colon);
            }
            ReportProvider p = Providers.discover().byName(name).create(c);
            return p.measurementRegisters().orElseThrow(() -> AttestationException.of(Reason.UNSUPPORTED,
                    provider + " has no measurement registers"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The registers: name:hash, size, flags.")
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() {
            for (MeasurementRegister r : target.open().registers()) {
                System.out.printf("%-16s %3d bytes %s%n", r.attributeName(), r.size(),
                        (r.readable() ? "readable" : "") + (r.extendable() ? " extendable" : "") + (r.live() ? " live" : ""));
            }
            return Main.OK;
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true, description = "Print a register's value in hex.")
    static final class Read implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "REGISTER", description = "e.g. rtmr2, mrtd, pcr16")
        String register;

        @Override
        public Integer call() {
            System.out.println(target.open().read(register).hex());
            return Main.OK;
        }
    }

    @Command(name = "extend", mixinStandardHelpOptions = true,
            description = {"Extend a register: new = H(old || digest). The event is appended to the log and fsync'd first, so a crash",
                    "can leave a logged event without its extend (replay reports it as not applied), never the reverse."})
    static final class Extend implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "REGISTER", description = "e.g. rtmr3 or pcr16")
        String register;

        @ArgGroup(exclusive = true, multiplicity = "1")
        What what;

        static final class What {
            @Option(names = "--event", paramLabel = "TEXT", description = "Measure this text as a GuestAttest event")
            String event;

            @Option(names = "--event-file", paramLabel = "FILE", description = "Measure this file's bytes (at most 1 MiB)")
            Path file;

            @Option(names = "--digest-hex", paramLabel = "HEX", description = "Extend this digest, measured elsewhere")
            String digest;
        }

        @Option(names = "--log", paramLabel = "FILE", description = "The event log (default <state-dir>/eventlog/<register>.cel)")
        Path log;

        @Override
        public Integer call() throws Exception {
            MeasurementRegisters regs = target.open();
            MeasurementRegister r = regs.register(register);
            boolean pcr = register.startsWith("pcr");
            // CC measurement-register indexes as in the CCEL: 0 is the initial measurement, N+1 runtime register N (rtmrN, remN, rmrN)
            int index = pcr ? Integer.parseInt(register.substring(3))
                    : register.matches("(rtmr|rem|rmr)\\d") ? register.charAt(register.length() - 1) - '0' + 1 : 0;
            Path file = log != null ? log : target.common.context().stateDir().resolve("eventlog").resolve(register + ".cel");
            MeasurementLog ml = new MeasurementLog(file, regs, pcr ? Event.IndexKind.PCR : Event.IndexKind.CC_MR);
            Bytes after;
            if (what.digest != null) {
                after = ml.extendDigest(register, index, "digest measured elsewhere", Bytes.fromHex("--digest-hex", what.digest));
            } else if (what.event != null) {
                after = ml.extend(register, index, what.event, Bytes.EMPTY);
            } else {
                if (Files.size(what.file) > (1 << 20)) {
                    throw AttestationException.tooLarge("--event-file", Files.size(what.file), 1 << 20);
                }
                after = ml.extend(register, index, what.file.getFileName().toString(), Bytes.of(Files.readAllBytes(what.file)));
            }
            System.out.println(r.attributeName() + " = " + after.hex() + " (event " + (ml.events().size() - 1) + " in " + file + ")");
            return Main.OK;
        }
    }
}
