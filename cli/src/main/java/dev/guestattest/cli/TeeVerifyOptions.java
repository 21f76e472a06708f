// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.tee.VerifyOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of {@code verify} that the TEEs declare ({@link Tee#verifyOptions}): added to the
 * command before parsing, read back after it. An option given for another TEE than the evidence's
 * is refused, never ignored.
 */
final class TeeVerifyOptions {
    private final CommandSpec spec;
    private final Tees tees;
    /** Which TEEs declared each option name. */
    private final Map<String, SortedSet<String>> owners;

    private TeeVerifyOptions(CommandSpec spec, Tees tees, Map<String, SortedSet<String>> owners) {
        this.spec = spec;
        this.tees = tees;
        this.owners = owners;
    }

    /** Adds every TEE's options to {@code spec} (a name two TEEs declare is added once). */
    static void declare(CommandSpec spec, Tees tees) {
        for (Tee t : tees.all()) {
            for (VerifyOption o : t.verifyOptions()) {
                if (o.kind() == VerifyOption.Kind.ROOTS || spec.findOption(o.name()) != null) {
                    continue;
                }
                spec.addOption(OptionSpec.builder(o.name()).paramLabel(o.paramLabel()).description(o.description())
                        .type(o.kind() == VerifyOption.Kind.RULE_TEXT ? String.class : Path.class).build());
            }
        }
    }

    static TeeVerifyOptions of(CommandSpec spec, Tees tees) {
        Map<String, SortedSet<String>> owners = new LinkedHashMap<>();
        tees.all().forEach(t -> t.verifyOptions().forEach(o -> owners.computeIfAbsent(o.name(), k -> new TreeSet<>()).add(t.name())));
        return new TeeVerifyOptions(spec, tees, owners);
    }

    /**
     * The TEE and evidence file: {@code --tee T EVIDENCE}, or the one {@code --T FILE} given; every
     * other TEE option given must be one this TEE declares.
     */
    Map.Entry<Tee, Path> evidence(Optional<String> named, Optional<Path> file) {
        List<Tee> given = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (Tee t : tees.all()) {
            String name = "--" + t.name();
            all.add(name);
            if (value(name).isPresent()) {
                given.add(t);
            }
        }
        if (named.isPresent()) {
            if (!given.isEmpty() || file.isEmpty()) {
                throw AttestationException.invalid("--tee", "give the evidence file as the argument after --tee " + named.get()
                        + ", and no " + all.stream().filter(n -> value(n).isPresent()).toList() + " option");
            }
            Tee tee = tees.byName("--tee", named.get());
            checkOwned(tee);
            return Map.entry(tee, file.get());
        }
        if (file.isPresent()) {
            throw AttestationException.invalid("EVIDENCE", "name its TEE with --tee (e.g. --tee tdx " + file.get() + ")");
        }
        if (given.size() != 1) {
            throw AttestationException.invalid("verify", "give --tee TEE EVIDENCE, or exactly one evidence option of " + all);
        }
        Tee tee = given.get(0);
        checkOwned(tee);
        return Map.entry(tee, (Path) value("--" + tee.name()).orElseThrow());
    }

    private void checkOwned(Tee tee) {
        owners.forEach((name, declaredBy) -> {
            if (!name.equals("--root") && !declaredBy.contains(tee.name()) && value(name).isPresent()) {
                throw AttestationException.invalid(name, "applies to " + declaredBy.stream().map(n -> "--" + n).toList() + ", not --" + tee.name());
            }
        });
    }

    Optional<Path> path(String name) {
        return value(name).map(Path.class::cast);
    }

    /** The aux parts the TEE's options name, read from their files; a required one missing is bad input. */
    Map<String, Bytes> aux(Tee tee, int maxBytes) throws java.io.IOException {
        Map<String, Bytes> aux = new HashMap<>();
        for (VerifyOption o : tee.verifyOptions()) {
            if (o.kind() != VerifyOption.Kind.AUX_FILE) {
                continue;
            }
            Optional<Path> file = path(o.name());
            if (file.isPresent()) {
                aux.put(o.key(), Bytes.of(InputFiles.read(o.name(), file.get(), maxBytes)));
            } else if (o.required()) {
                throw AttestationException.invalid(o.name(), "is required for --" + tee.name() + ": " + o.description());
            }
        }
        return aux;
    }

    /** The TEE's rules section from its rule options, if any was given. */
    Optional<ObjectNode> rules(Tee tee, int maxBytes) throws java.io.IOException {
        ObjectNode section = JsonNodeFactory.instance.objectNode();
        for (VerifyOption o : tee.verifyOptions()) {
            Optional<Object> v = value(o.name());
            if (o.kind() == VerifyOption.Kind.RULE_TEXT && v.isPresent()) {
                section.put(o.key(), (String) v.get());
            } else if (o.kind() == VerifyOption.Kind.RULE_JSON_FILE && v.isPresent()) {
                section.set(o.key(), Json.tree(o.name(), InputFiles.read(o.name(), (Path) v.get(), maxBytes)));
            }
        }
        return section.isEmpty() ? Optional.empty() : Optional.of(section);
    }

    /** A TEE that requires --root (CoVE's DICE root) and got none is bad input. */
    void requireRoots(Tee tee, boolean given) {
        tee.verifyOptions().stream().filter(o -> o.kind() == VerifyOption.Kind.ROOTS && o.required() && !given).findFirst().ifPresent(o -> {
            throw AttestationException.invalid("--root", o.description());
        });
    }

    private Optional<Object> value(String name) {
        OptionSpec o = spec.findOption(name);
        return o == null ? Optional.empty() : Optional.ofNullable(o.getValue());
    }
}
