// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.CelJson;
import dev.guestattest.core.eventlog.CelTlv;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.Replay;
import dev.guestattest.core.eventlog.Tcg2Log;
import dev.guestattest.core.mr.HashAlgorithm;
import java.io.IOException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eventlog", mixinStandardHelpOptions = true, description = "Read measurement logs and replay them into register values.",
        subcommands = {EventlogCommand.Show.class, EventlogCommand.ReplayCmd.class})
final class EventlogCommand {
    static final int MAX_LOG = 64 << 20;

    /** The log and its encoding. */
    static final class Input {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--format", paramLabel = "F", defaultValue = "cel-tlv",
                description = "cel-tlv, cel-json, ccel (the CCEL log area) or tcg2 (UEFI crypto-agile); default ${DEFAULT-VALUE}")
        String format;

        List<Event> events() throws IOException {
            return switch (format) {
                case "cel-tlv" -> CelTlv.parse(read());
                case "cel-json" -> CelJson.read(read());
                case "ccel" -> Tcg2Log.parse(read(), Event.IndexKind.CC_MR).events();
                case "tcg2" -> Tcg2Log.parse(read(), Event.IndexKind.PCR).events();
                default -> throw AttestationException.invalid("--format", "'" + format + "' is not cel-tlv, cel-json, ccel or tcg2");
            };
        }

        byte[] read() throws IOException {
            return InputFiles.read("FILE", file, MAX_LOG);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One line per event: number, index, type, digests.")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Input input;

        @Option(names = "--json", description = "Print the events as JSON (schemas/eventlog-show.schema.json)")
        boolean json;

        @Override
        public Integer call() throws IOException {
            List<Event> events = input.events();
            if (json) {
                ObjectNode n = JsonNodeFactory.instance.objectNode();
                ArrayNode a = n.putArray("events");
                for (Event e : events) {
                    ObjectNode o = a.addObject().put("recnum", e.recnum()).put("index_kind", e.indexKind().name().toLowerCase(java.util.Locale.ROOT))
                            .put("index", e.index()).put("type", e.type()).put("data_bytes", e.data().length());
                    ObjectNode d = o.putObject("digests");
                    e.digests().forEach(x -> d.put(x.algorithm().label(), x.value().hex()));
                }
                JsonOutput.print(n);
                return Main.OK;
            }
            for (Event e : events) {
                StringBuilder d = new StringBuilder();
                e.digests().forEach(x -> d.append(' ').append(x.algorithm().label()).append(':').append(x.value().hex(), 0, 16).append("..."));
                System.out.printf("%4d %s %-3d type 0x%x%s (%d bytes)%n", e.recnum(), e.indexKind().name().toLowerCase(java.util.Locale.ROOT),
                        e.index(), e.type(), d, e.data().length());
            }
            return Main.OK;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "The register values the log produces, one bank.")
    static final class ReplayCmd implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Input input;

        @Option(names = "--bank", paramLabel = "ALG", description = "sha1, sha256, sha384 (default: sha384 for ccel; otherwise sha256"
                + " when every event has it, else the one bank every event has, as a TDX RTMR log's sha384)")
        String bank;

        @Option(names = "--json", description = "Print the bank and register values as JSON (schemas/eventlog-replay.schema.json)")
        boolean json;

        /** sha256 when every event carries it, else the one bank every event carries. */
        private static HashAlgorithm defaultBank(List<Event> events) {
            java.util.Set<HashAlgorithm> common = null;
            for (Event e : events) {
                java.util.Set<HashAlgorithm> has = new java.util.HashSet<>();
                e.digests().forEach(d -> has.add(d.algorithm()));
                common = common == null ? has : common;
                common.retainAll(has);
            }
            if (common == null || common.isEmpty() || common.contains(HashAlgorithm.SHA256)) {
                return HashAlgorithm.SHA256;
            }
            if (common.size() > 1) {
                throw AttestationException.invalid("--bank", "the events share " + common.size() + " banks and none is sha256: name one");
            }
            return common.iterator().next();
        }

        @Override
        public Integer call() throws IOException {
            // the log is read and parsed once: the default bank is chosen from the same events that are replayed
            HashAlgorithm alg;
            Map<Integer, Bytes> regs;
            if (input.format.equals("ccel") || input.format.equals("tcg2")) {
                boolean ccel = input.format.equals("ccel");
                Tcg2Log log = Tcg2Log.parse(input.read(), ccel ? Event.IndexKind.CC_MR : Event.IndexKind.PCR);
                alg = bank != null ? HashAlgorithm.byLabel(bank) : ccel ? HashAlgorithm.SHA384 : defaultBank(log.events());
                regs = log.replay(alg);
            } else {
                List<Event> events = input.events();
                alg = bank != null ? HashAlgorithm.byLabel(bank) : defaultBank(events);
                regs = Replay.replay(events, alg, Map.of());
            }
            if (json) {
                ObjectNode n = JsonNodeFactory.instance.objectNode().put("bank", alg.label());
                ObjectNode r = n.putObject("registers");
                regs.forEach((i, v) -> r.put(Integer.toString(i), v.hex()));
                JsonOutput.print(n);
            } else {
                regs.forEach((i, v) -> System.out.println(i + " " + v.hex()));
            }
            return Main.OK;
        }
    }
}
