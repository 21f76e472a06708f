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
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.List;
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

        /**
         * The registers named, else those of the TEE actually here: the TDX sysfs group when this is
         * a TD, else the first real provider available here that has registers; never a TEE's list
         * on a machine without it.
         */
        MeasurementRegisters open() {
            if (sysfs != null) {
                return new TdxSysfsRegisters(sysfs);
            }
            if (provider == null) {
                return present();
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

        private MeasurementRegisters present() {
            if (Files.isDirectory(TdxSysfsRegisters.DEFAULT)) {
                return new TdxSysfsRegisters(TdxSysfsRegisters.DEFAULT);
            }
            ProviderContext c = common.context();
            for (var f : Providers.discover().all()) {
                if (!f.emulated() && f.probe(c).available()) {
                    var registers = f.create(c).measurementRegisters();
                    if (registers.isPresent()) {
                        return registers.get();
                    }
                }
            }
            throw AttestationException.of(Reason.NO_PROVIDER, "no TEE with measurement registers here (no " + TdxSysfsRegisters.DEFAULT
                    + ", no available TPM or configfs provider with registers): name one with --provider, e.g. tdx/emulated");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The registers: name:hash, size, flags.")
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--json", description = "Print the registers as JSON (schemas/mr-list.schema.json)")
        boolean json;

        @Override
        public Integer call() {
            List<MeasurementRegister> registers = target.open().registers();
            if (json) {
                ObjectNode n = JsonNodeFactory.instance.objectNode();
                ArrayNode a = n.putArray("registers");
                registers.forEach(r -> a.addObject().put("name", r.attributeName()).put("size", r.size()).put("readable", r.readable())
                        .put("extendable", r.extendable()).put("live", r.live()));
                JsonOutput.print(n);
                return Main.OK;
            }
            for (MeasurementRegister r : registers) {
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

        @Option(names = "--json", description = "Print register and value as JSON (schemas/mr-read.schema.json)")
        boolean json;

        @Override
        public Integer call() {
            Bytes value = target.open().read(register);
            if (json) {
                JsonOutput.print(JsonNodeFactory.instance.objectNode().put("register", register).put("value", value.hex()));
            } else {
                System.out.println(value.hex());
            }
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

        @Option(names = "--json", description = "Print register, new value, event index and log as JSON (schemas/mr-extend.schema.json)")
        boolean json;

        @Override
        public Integer call() throws Exception {
            MeasurementRegisters regs = target.open();
            Path file = log != null ? log : defaultLog(target.common.context(), register);
            Logged logged = extendLogged(regs, register, file, what);
            logged.print(json);
            return Main.OK;
        }
    }

    /** The default event log of {@code register}: {@code <state-dir>/eventlog/<register>.cel}. */
    static Path defaultLog(ProviderContext context, String register) {
        return context.stateDir().resolve("eventlog").resolve(register + ".cel");
    }

    /** What one extend did: the register's new value and the event that the log holds for it. */
    record Logged(String register, Bytes value, int eventIndex, Path log) {
        void print(boolean json) {
            if (json) {
                JsonOutput.print(JsonNodeFactory.instance.objectNode().put("register", register).put("value", value.hex())
                        .put("event_index", eventIndex).put("log", log.toString()));
            } else {
                System.out.println(register + " = " + value.hex() + " (event " + eventIndex + " in " + log + ")");
            }
        }
    }

    /**
     * The one way a register moves: the event is appended to the log and fsync'd first, then the
     * register is extended ({@code mr extend} and {@code emulator extend} alike).
     */
    static Logged extendLogged(MeasurementRegisters regs, String register, Path file, Extend.What what) throws java.io.IOException {
        MeasurementRegister r = regs.register(register);
        boolean pcr = register.startsWith("pcr");
        // CC measurement-register indexes as in the CCEL: 0 is the initial measurement, N+1 runtime register N (rtmrN, remN, rmrN)
        int index = pcr ? Integer.parseInt(register.substring(3))
                : register.matches("(rtmr|rem|rmr)\\d") ? register.charAt(register.length() - 1) - '0' + 1 : 0;
        MeasurementLog ml = new MeasurementLog(file, regs, pcr ? Event.IndexKind.PCR : Event.IndexKind.CC_MR);
        Bytes after;
        if (what.digest != null) {
            after = ml.extendDigest(register, index, "digest measured elsewhere", Bytes.fromHex("--digest-hex", what.digest));
        } else if (what.event != null) {
            after = ml.extend(register, index, what.event, Bytes.EMPTY);
        } else {
            after = ml.extend(register, index, what.file.getFileName().toString(), Bytes.of(InputFiles.read("--event-file", what.file, 1 << 20)));
        }
        return new Logged(r.attributeName(), after, ml.events().size() - 1, file);
    }
}
