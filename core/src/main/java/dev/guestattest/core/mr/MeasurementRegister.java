// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.mr;

import dev.guestattest.core.AttestationException;
import java.util.Optional;

/**
 * A measurement register as Linux's tsm-mr describes one (linux-abi.md §2.1): a name, a digest
 * algorithm (none for NOHASH registers such as MRCONFIGID), a size and what may be done with it.
 */
public record MeasurementRegister(String name, Optional<HashAlgorithm> algorithm, int size, boolean readable, boolean extendable,
                                  boolean live) {
    public MeasurementRegister {
        if (name.isEmpty()) {
            throw AttestationException.invalid("register name", "is empty");
        }
        if (algorithm.isPresent() && algorithm.get().size() != size) {
            throw AttestationException.invalid("register " + name, "size " + size + " is not " + algorithm.get().label() + "'s "
                    + algorithm.get().size());
        }
        if (extendable && algorithm.isEmpty()) {
            throw AttestationException.invalid("register " + name, "an extendable register needs a digest algorithm");
        }
    }

    /** A read-only register with an algorithm (MRTD). */
    public static MeasurementRegister fixed(String name, HashAlgorithm algorithm) {
        return new MeasurementRegister(name, Optional.of(algorithm), algorithm.size(), true, false, false);
    }

    /** A read-only register without one (MRCONFIGID, MROWNER, MROWNERCONFIG). */
    public static MeasurementRegister noHash(String name, int size) {
        return new MeasurementRegister(name, Optional.empty(), size, true, false, false);
    }

    /** A runtime register: readable, extendable, live (RTMRs, PCRs). */
    public static MeasurementRegister runtime(String name, HashAlgorithm algorithm) {
        return new MeasurementRegister(name, Optional.of(algorithm), algorithm.size(), true, true, true);
    }

    /** The sysfs attribute name: {@code name:hash} or plain {@code name} for NOHASH. */
    public String attributeName() {
        return algorithm.map(a -> name + ":" + a.label()).orElse(name);
    }
}
