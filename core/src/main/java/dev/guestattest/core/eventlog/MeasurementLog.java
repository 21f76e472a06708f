// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.mr.MeasurementRegister;
import dev.guestattest.core.mr.MeasurementRegisters;
import dev.guestattest.core.state.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * GuestAttest's own append-only event log, CEL-TLV, one file per set of registers. {@link #extend}
 * appends the event and fsyncs it <em>before</em> extending the register, so a crash can leave a
 * logged event whose extend never happened, never an extend without its event. Replay recognises
 * that case ({@link Replay.Match#LAST_EVENT_NOT_APPLIED}): the event did not take effect.
 */
public final class MeasurementLog {
    private final Path file;
    private final MeasurementRegisters registers;
    private final Event.IndexKind indexKind;
    /** The next record number; counted from the file once, then kept (this object is the file's only writer). */
    private long next = -1;

    public MeasurementLog(Path file, MeasurementRegisters registers, Event.IndexKind indexKind) {
        this.file = file;
        this.registers = registers;
        this.indexKind = indexKind;
    }

    /** The content of a GuestAttest event: nested TLV {0: description, 1: data}. */
    public static Bytes content(String description, Bytes data) {
        byte[] d = new CelTlv.Tlv(0, Bytes.of(description.getBytes(StandardCharsets.UTF_8))).encode();
        byte[] v = new CelTlv.Tlv(1, data).encode();
        return Bytes.of(ByteBuffer.allocate(d.length + v.length).put(d).put(v).array());
    }

    /**
     * Logs then extends: the digest is the register's hash of the event's content TLV, as in
     * Confidential Space's CEL. Returns the register's new value.
     */
    public synchronized Bytes extend(String register, int index, String description, Bytes data) {
        MeasurementRegister r = registers.register(register);
        HashAlgorithm alg = r.algorithm().orElseThrow(() -> AttestationException.invalid("register " + register, "has no digest algorithm"));
        Bytes content = content(description, data);
        Bytes digest = Bytes.of(alg.hash(new CelTlv.Tlv(CelTlv.CONTENT_GUEST_ATTEST, content).encode()));
        registers.checkExtend(register, digest);
        Event e = new Event(nextRecnum(), indexKind, index, CelTlv.CONTENT_GUEST_ATTEST, List.of(new Event.Digest(alg, digest)), content);
        append(CelTlv.encode(e));
        return registers.extend(register, digest);
    }

    private long nextRecnum() {
        if (next < 0) {
            next = events().size();
        }
        return next;
    }

    /** Logs then extends a digest measured elsewhere; the event's content names it. */
    public synchronized Bytes extendDigest(String register, int index, String description, Bytes digest) {
        MeasurementRegister r = registers.checkExtend(register, digest);
        HashAlgorithm alg = r.algorithm().orElseThrow();
        Event e = new Event(nextRecnum(), indexKind, index, CelTlv.CONTENT_GUEST_ATTEST, List.of(new Event.Digest(alg, digest)),
                content(description, Bytes.EMPTY));
        append(CelTlv.encode(e));
        return registers.extend(register, digest);
    }

    public synchronized List<Event> events() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return CelTlv.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "event log: cannot read " + file + ": " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    private void append(byte[] record) {
        try {
            AtomicFiles.createPrivateDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(record);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true); // durable before the register moves
            }
            next++;
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "event log: cannot append to " + file + " (nothing was extended): " + e.getMessage());
        }
    }
}
