// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.mr;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.util.List;

/**
 * A provider's measurement registers (the tsm-mr model): list them, read them, extend the
 * extendable ones. {@link #extend} takes exactly one digest of the register's size and applies
 * {@code new = H(old || digest)}; the returned value is the register after the extend.
 */
public interface MeasurementRegisters {
    List<MeasurementRegister> registers();

    Bytes read(String name);

    Bytes extend(String name, Bytes digest);

    /** The register called {@code name}, or a typed error listing the names there are. */
    default MeasurementRegister register(String name) {
        return registers().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> AttestationException.invalid(
                "register", "'" + name + "' is not one of " + registers().stream().map(MeasurementRegister::name).toList()));
    }

    /** The checks every extend makes before touching anything: the register is extendable, the digest its size. */
    default MeasurementRegister checkExtend(String name, Bytes digest) {
        MeasurementRegister r = register(name);
        if (!r.extendable()) {
            throw AttestationException.invalid("register " + name, "is read-only");
        }
        if (digest.length() != r.size()) {
            throw AttestationException.invalid("digest", digest.length() + " bytes; " + r.attributeName() + " takes exactly " + r.size());
        }
        return r;
    }
}
