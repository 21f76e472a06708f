// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import dev.guestattest.core.AttestationException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What an event says it measured, believed only when its digests are recomputed from the content
 * that says it. A log is not signed and replay vouches for digests alone, so a description is
 * evidence only where the log format defines the digest as the hash of content that carries the
 * description, and every digest the event logs is that hash. Anything else (a relabelled event,
 * or a type whose digest covers bytes outside the log, such as a loaded image) is identified by its
 * digest alone.
 *
 * <p>Descriptions whose digest is recomputed:
 * <ul>
 * <li>CEL, GuestAttest's content type 0xA7 ({@code mr extend --event/--event-file}): the digest is
 *     the register's hash of the content TLV {0: description, 1: data} ({@link MeasurementLog#extend}).
 *     A digest measured elsewhere ({@code extendDigest}, {@code --digest-hex}) does not recompute.</li>
 * <li>TCG PC Client logs (UEFI and CCEL): the types whose event data is a string and whose digest
 *     the PC Client Platform Firmware Profile defines as the hash of that event data: EV_ACTION and
 *     EV_EFI_ACTION (ASCII action strings), EV_OMIT_BOOT_DEVICE_EVENTS (ASCII) and EV_S_CRTM_VERSION
 *     (UCS-2). Not EV_IPL or EV_EVENT_TAG: their data describes what was hashed (GRUB logs
 *     "grub_cmd: ..." and hashes the command alone; Linux's EFI stub tags "Linux initrd" and hashes
 *     the initrd), so their text proves nothing about the digest.</li>
 * </ul>
 * Other CEL content types (IMA templates, Confidential Space's COS events, systemd's) have none here.
 */
public final class EventDescription {
    public static final long EV_ACTION = 0x5;
    public static final long EV_S_CRTM_VERSION = 0x8;
    public static final long EV_OMIT_BOOT_DEVICE_EVENTS = 0x12;
    public static final long EV_EFI_ACTION = 0x80000007L;

    /** How a log encodes its events: the same {@link Event#type()} number means a CEL content type or a TCG event type. */
    public enum Encoding { CEL, TCG_PC_CLIENT }

    private record Content(String description, byte[] hashed) {
    }

    private EventDescription() {
    }

    /** The event's description, if its content carries one and every digest the event logs is the hash of that content. */
    public static Optional<String> verified(Event e, Encoding encoding) {
        return content(e, encoding).filter(c -> recomputes(e, c.hashed())).map(Content::description);
    }

    /** The description as logged, believed or not: to tell a relabelled event from a missing one in a finding. */
    public static Optional<String> claimed(Event e, Encoding encoding) {
        return content(e, encoding).map(Content::description);
    }

    /** One bank that disagrees is enough to make the content a mere claim: the replayed bank may be that one. */
    private static boolean recomputes(Event e, byte[] hashed) {
        return !e.digests().isEmpty() && e.digests().stream().allMatch(d -> Arrays.equals(d.algorithm().hash(hashed), d.value().toArray()));
    }

    private static Optional<Content> content(Event e, Encoding encoding) {
        return switch (encoding) {
            case CEL -> e.type() == CelTlv.CONTENT_GUEST_ATTEST ? guestAttest(e) : Optional.empty();
            case TCG_PC_CLIENT -> tcg(e);
        };
    }

    /** Exactly the shape MeasurementLog writes; with more or other elements there is no one description to believe. */
    private static Optional<Content> guestAttest(Event e) {
        List<CelTlv.Tlv> parts;
        try {
            parts = CelTlv.elements(e.data().toArray(), "event " + e.recnum() + " content");
        } catch (AttestationException malformed) {
            return Optional.empty();
        }
        if (parts.size() != 2 || parts.get(0).type() != 0 || parts.get(1).type() != 1) {
            return Optional.empty();
        }
        return text(parts.get(0).value().toArray(), StandardCharsets.UTF_8).map(d -> new Content(d, CelTlv.content(e).encode()));
    }

    private static Optional<Content> tcg(Event e) {
        byte[] data = e.data().toArray();
        if (e.type() == EV_ACTION || e.type() == EV_EFI_ACTION || e.type() == EV_OMIT_BOOT_DEVICE_EVENTS) {
            return text(withoutTerminator(data, 1), StandardCharsets.US_ASCII).map(d -> new Content(d, data));
        }
        if (e.type() == EV_S_CRTM_VERSION) {
            return text(withoutTerminator(data, 2), StandardCharsets.UTF_16LE).map(d -> new Content(d, data));
        }
        return Optional.empty();
    }

    /** The text without one trailing NUL of {@code unit} bytes; the digest still covers the NUL. */
    private static byte[] withoutTerminator(byte[] data, int unit) {
        boolean nul = data.length >= unit;
        for (int i = data.length - unit; nul && i < data.length; i++) {
            nul = data[i] == 0;
        }
        return nul ? Arrays.copyOf(data, data.length - unit) : data;
    }

    /** Strictly decoded: bytes that are not text in {@code charset} have no description (no replacement characters to match). */
    private static Optional<String> text(byte[] bytes, Charset charset) {
        try {
            return Optional.of(charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
