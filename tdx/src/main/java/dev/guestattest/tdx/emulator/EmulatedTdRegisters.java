// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.tdx.guest.TdxRegisters;
import java.util.List;

/**
 * The emulated TD's registers. They persist in the emulator's state directory: an extend made by
 * one process shows in the next report of any other, until {@code guest-attest emulator reset}.
 */
public final class EmulatedTdRegisters implements MeasurementRegisters {
    private final EmulatedTd td;

    public EmulatedTdRegisters(EmulatedTd td) {
        this.td = td;
    }

    @Override
    public List<MeasurementRegister> registers() {
        return TdxRegisters.ALL;
    }

    @Override
    public Bytes read(String name) {
        register(name);
        td.refresh();
        return TdxRegisters.value(td.report(Bytes.zeros(64)).tdInfo(), name); // live: re-read through a fresh TDREPORT
    }

    @Override
    public Bytes extend(String name, Bytes digest) {
        checkExtend(name, digest);
        return td.extend(TdxRegisters.rtmrIndex(name), digest.toArray());
    }
}
