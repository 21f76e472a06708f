// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.Event;
import dev.guestattest.core.eventlog.MeasurementLog;
import dev.guestattest.core.eventlog.Replay;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.guest.TdxSysfsRegisters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Measurement registers of the emulated TD and the sysfs backend, and the log-then-extend rule. */
class MeasurementRegistersTest {
    @TempDir
    Path state;

    private TdxEmulatedProvider open() {
        return TdxEmulatedProvider.open(ProviderContext.defaults().withStateDir(state));
    }

    @Test
    void extendsPersistAcrossProvidersAndShowInTheNextQuote() {
        byte[] digest = TdReport.sha384("event".getBytes());
        try (TdxEmulatedProvider a = open()) {
            EmulatedTdRegisters regs = new EmulatedTdRegisters(a.td());
            assertThat(regs.registers()).extracting(r -> r.attributeName()).containsExactly("mrtd:sha384", "mrconfigid", "mrowner",
                    "mrownerconfig", "rtmr0:sha384", "rtmr1:sha384", "rtmr2:sha384", "rtmr3:sha384");
            Bytes after = regs.extend("rtmr2", Bytes.of(digest));
            assertThat(after.toArray()).isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], digest));
        }
        try (TdxEmulatedProvider b = open()) {
            assertThat(new EmulatedTdRegisters(b.td()).read("rtmr2").toArray()).isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], digest));
            Quote q = Quote.parse(b.quote(b.tdReport(Bytes.zeros(64))));
            assertThat(q.body().rtmrs().get(2).toArray()).isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], digest));
            b.td().reset(TdConfig.DEFAULT);
            assertThat(new EmulatedTdRegisters(b.td()).read("rtmr2").isZero()).isTrue();
        }
    }

    @Test
    void readOnlyRegistersAndWrongSizesAreRefusedBeforeAnythingChanges() {
        try (TdxEmulatedProvider p = open()) {
            EmulatedTdRegisters regs = new EmulatedTdRegisters(p.td());
            assertThatThrownBy(() -> regs.extend("mrtd", Bytes.zeros(48))).hasMessage("register mrtd: is read-only");
            assertThatThrownBy(() -> regs.extend("rtmr0", Bytes.zeros(32))).hasMessage("digest: 32 bytes; rtmr0:sha384 takes exactly 48");
            assertThatThrownBy(() -> regs.read("rtmr9")).hasMessageStartingWith("register: 'rtmr9' is not one of [mrtd");
            assertThat(regs.read("rtmr0").isZero()).isTrue();
        }
    }

    @Test
    void everyExtendIsLoggedFirstAndTheLogReplaysToTheRegister() {
        try (TdxEmulatedProvider p = open()) {
            EmulatedTdRegisters regs = new EmulatedTdRegisters(p.td());
            MeasurementLog log = new MeasurementLog(state.resolve("rtmr.cel"), regs, Event.IndexKind.CC_MR);
            for (int i = 0; i < 5; i++) {
                log.extend("rtmr3", 4, "workload step " + i, Bytes.of(new byte[] {(byte) i}));
            }
            List<Event> events = log.events();
            assertThat(events).hasSize(5).extracting(Event::recnum).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(Replay.compare(events, 4, HashAlgorithm.SHA384, regs.read("rtmr3"))).isEqualTo(Replay.Match.EXACT);
            // a crash after the fsync and before the extend: the log has one event more than the register
            MeasurementRegisters powerCut = new MeasurementRegisters() {
                @Override
                public List<dev.guestattest.core.mr.MeasurementRegister> registers() {
                    return regs.registers();
                }

                @Override
                public Bytes read(String name) {
                    return regs.read(name);
                }

                @Override
                public Bytes extend(String name, Bytes digest) {
                    throw new IllegalStateException("power cut");
                }
            };
            MeasurementLog crashed = new MeasurementLog(state.resolve("rtmr.cel"), powerCut, Event.IndexKind.CC_MR);
            assertThatThrownBy(() -> crashed.extend("rtmr3", 4, "never applied", Bytes.EMPTY)).hasMessage("power cut");
            assertThat(Replay.compare(log.events(), 4, HashAlgorithm.SHA384, regs.read("rtmr3"))).isEqualTo(Replay.Match.LAST_EVENT_NOT_APPLIED);
            regs.extend("rtmr3", Bytes.zeros(48)); // an extend nobody logged
            assertThat(Replay.compare(log.events(), 4, HashAlgorithm.SHA384, regs.read("rtmr3"))).isEqualTo(Replay.Match.MISMATCH);
        }
    }

    @Test
    void aBadEventIsNeverLoggedWhenTheExtendWouldBeRefused() {
        try (TdxEmulatedProvider p = open()) {
            MeasurementLog log = new MeasurementLog(state.resolve("x.cel"), new EmulatedTdRegisters(p.td()), Event.IndexKind.CC_MR);
            assertThatThrownBy(() -> log.extend("mrtd", 0, "nope", Bytes.EMPTY)).hasMessage("register mrtd: is read-only");
            assertThat(state.resolve("x.cel")).doesNotExist();
        }
    }

    @Test
    void sysfsRegistersReadWholeFilesAndExtendWithOneWholeWrite() throws Exception {
        Path dir = Files.createDirectories(state.resolve("measurements"));
        Files.write(dir.resolve("mrtd:sha384"), new byte[48]);
        Files.write(dir.resolve("rtmr1:sha384"), new byte[48]);
        Files.write(dir.resolve("mrowner"), new byte[47]);
        TdxSysfsRegisters regs = new TdxSysfsRegisters(dir);
        assertThat(regs.read("mrtd").isZero()).isTrue();
        assertThatThrownBy(() -> regs.read("mrowner")).hasMessageContaining("must be exactly 48 bytes, got 47");
        byte[] d = new byte[48];
        d[0] = 7;
        regs.extend("rtmr1", Bytes.of(d)); // a plain file stands in for the driver: it just keeps the written digest
        assertThat(Files.readAllBytes(dir.resolve("rtmr1:sha384"))).isEqualTo(d);
        assertThatThrownBy(() -> regs.extend("rtmr1", Bytes.zeros(47))).hasMessage("digest: 47 bytes; rtmr1:sha384 takes exactly 48");
        assertThatThrownBy(() -> new TdxSysfsRegisters(state.resolve("absent")).read("rtmr0")).hasMessageContaining("needs Linux 6.16+");
    }
}
