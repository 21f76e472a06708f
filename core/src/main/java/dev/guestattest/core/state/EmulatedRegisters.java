// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An emulated TEE's registers: one fixed initial measurement and {@code prefix0..prefixN-1}
 * runtime registers persisted in a {@link RegisterFile} (the CCA realm's rim and rem0-3, the CoVE
 * TVM's initial and rmr0-3).
 */
public final class EmulatedRegisters implements MeasurementRegisters {
    private final String initialName;
    private final Bytes initialValue;
    private final String prefix;
    private final RegisterFile file;
    private final List<MeasurementRegister> registers;

    public EmulatedRegisters(Path dir, String fileName, HashAlgorithm hash, String initialName, Bytes initialValue, String prefix, int count) {
        this.initialName = initialName;
        this.initialValue = initialValue;
        this.prefix = prefix;
        this.file = new RegisterFile(dir, fileName, count, hash);
        List<MeasurementRegister> r = new ArrayList<>(List.of(MeasurementRegister.fixed(initialName, hash)));
        for (int i = 0; i < count; i++) {
            r.add(MeasurementRegister.runtime(prefix + i, hash));
        }
        this.registers = List.copyOf(r);
    }

    /** Creates the register file with zeroed registers if it does not exist; call under the state directory's lock. */
    public void createIfAbsent() {
        file.createIfAbsent();
    }

    /** The runtime registers' values, in order. */
    public List<Bytes> runtime() {
        return file.read();
    }

    @Override
    public List<MeasurementRegister> registers() {
        return registers;
    }

    @Override
    public Bytes read(String name) {
        register(name);
        return name.equals(initialName) ? initialValue : runtime().get(index(name));
    }

    @Override
    public Bytes extend(String name, Bytes digest) {
        checkExtend(name, digest);
        return file.extend(index(name), digest);
    }

    private int index(String name) {
        return Integer.parseInt(name.substring(prefix.length()));
    }
}
