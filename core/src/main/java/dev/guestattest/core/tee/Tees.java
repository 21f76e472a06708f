// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.tee;

import dev.guestattest.core.AttestationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;

/** The TEEs on the class path, by name or alias. An object its owner creates; discovery registers nothing globally. */
public final class Tees {
    private final List<Tee> tees;

    public Tees(List<Tee> tees) {
        List<Tee> sorted = new ArrayList<>(tees);
        sorted.sort(Comparator.comparing(Tee::name));
        this.tees = List.copyOf(sorted);
        SortedSet<String> seen = new TreeSet<>();
        for (Tee t : this.tees) {
            for (String n : names(t)) {
                if (!seen.add(n)) {
                    throw new IllegalStateException("two TEEs on the class path are named '" + n + "'");
                }
            }
        }
    }

    public static Tees discover() {
        List<Tee> found = new ArrayList<>();
        ServiceLoader.load(Tee.class).forEach(found::add);
        return new Tees(found);
    }

    public List<Tee> all() {
        return tees;
    }

    /** The canonical names, sorted. */
    public SortedSet<String> names() {
        SortedSet<String> s = new TreeSet<>();
        tees.forEach(t -> s.add(t.name()));
        return s;
    }

    /** The TEE named {@code name} or aliased so. */
    public Optional<Tee> find(String name) {
        return tees.stream().filter(t -> names(t).contains(name)).findFirst();
    }

    /** As {@link #find}, or INVALID_ARGUMENT naming {@code field} and the known names. */
    public Tee byName(String field, String name) {
        return find(name).orElseThrow(() -> AttestationException.invalid(field, "'" + name + "' is not a TEE known here " + names()));
    }

    private static List<String> names(Tee t) {
        List<String> n = new ArrayList<>(t.aliases());
        n.add(t.name());
        return n;
    }

    /** The vendor collateral services these TEEs' emulators play (Intel PCS, AMD KDS), from {@code context}'s emulator state. */
    public List<dev.guestattest.core.collateral.EmulatedService> emulatedServices(dev.guestattest.core.ProviderContext context,
                                                                               java.time.Duration validity) {
        return tees.stream().map(t -> t.emulatedService(context, validity)).flatMap(Optional::stream).toList();
    }
}
