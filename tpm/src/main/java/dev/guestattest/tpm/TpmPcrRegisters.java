// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/** A TPM's SHA-256 PCR bank as measurement registers {@code pcr0..pcr23}: live, extendable. */
public final class TpmPcrRegisters implements MeasurementRegisters {
    private static final List<MeasurementRegister> PCRS;

    static {
        List<MeasurementRegister> l = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            l.add(MeasurementRegister.runtime("pcr" + i, HashAlgorithm.SHA256));
        }
        PCRS = List.copyOf(l);
    }

    private final Supplier<TpmTransport> connect;

    public TpmPcrRegisters(Supplier<TpmTransport> connect) {
        this.connect = connect;
    }

    @Override
    public List<MeasurementRegister> registers() {
        return PCRS;
    }

    @Override
    public Bytes read(String name) {
        int pcr = index(name);
        try (Tpm tpm = new Tpm(connect.get())) {
            return tpm.pcrRead(new PcrSelection(HashAlgorithm.SHA256.tpmId(), new TreeSet<>(Set.of(pcr)))).get(pcr);
        }
    }

    @Override
    public Bytes extend(String name, Bytes digest) {
        checkExtend(name, digest);
        int pcr = index(name);
        try (Tpm tpm = new Tpm(connect.get())) {
            tpm.pcrExtend(pcr, HashAlgorithm.SHA256.tpmId(), digest);
            return tpm.pcrRead(new PcrSelection(HashAlgorithm.SHA256.tpmId(), new TreeSet<>(Set.of(pcr)))).get(pcr);
        }
    }

    private int index(String name) {
        register(name);
        try {
            return Integer.parseInt(name.substring(3));
        } catch (NumberFormatException e) {
            throw AttestationException.invalid("register", name);
        }
    }
}
