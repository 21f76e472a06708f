// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A description is believed only when the event's digests are recomputed from the content that carries it. */
class EventDescriptionTest {
    private static final EventDescription.Encoding CEL = EventDescription.Encoding.CEL;
    private static final EventDescription.Encoding TCG = EventDescription.Encoding.TCG_PC_CLIENT;

    private static Event guestAttest(String description, byte[] data, Bytes digest) {
        return new Event(0, Event.IndexKind.CC_MR, 3, CelTlv.CONTENT_GUEST_ATTEST, List.of(new Event.Digest(HashAlgorithm.SHA384, digest)),
                MeasurementLog.content(description, Bytes.of(data)));
    }

    private static Bytes measured(String description, byte[] data) {
        return Bytes.of(HashAlgorithm.SHA384.hash(new CelTlv.Tlv(CelTlv.CONTENT_GUEST_ATTEST, MeasurementLog.content(description, Bytes.of(data)))
                .encode()));
    }

    @Test
    void aRelabelledGuestAttestEventKeepsItsClaimButLosesItsDescription() {
        byte[] malware = "MZ evil".getBytes(StandardCharsets.US_ASCII);
        Event honest = guestAttest("malware.bin", malware, measured("malware.bin", malware));
        assertThat(EventDescription.verified(honest, CEL)).contains("malware.bin");
        // the same digest, the description changed: the log says app.jar, the register saw malware.bin
        Event relabelled = guestAttest("app.jar", malware, measured("malware.bin", malware));
        assertThat(EventDescription.claimed(relabelled, CEL)).contains("app.jar");
        assertThat(EventDescription.verified(relabelled, CEL)).isEmpty();
        // the data swapped under an honest label is caught the same way
        assertThat(EventDescription.verified(guestAttest("app.jar", malware, measured("app.jar", new byte[] {1})), CEL)).isEmpty();
    }

    @Test
    void everyBankMustRecomputeNotJustOne() {
        byte[] data = {1, 2, 3};
        Event e = guestAttest("app.jar", data, measured("app.jar", data));
        Event twoBanks = new Event(0, e.indexKind(), e.index(), e.type(), List.of(e.digests().get(0),
                new Event.Digest(HashAlgorithm.SHA256, Bytes.zeros(32))), e.data());
        assertThat(EventDescription.verified(twoBanks, CEL)).isEmpty();
        assertThat(EventDescription.verified(new Event(0, e.indexKind(), e.index(), e.type(), List.of(), e.data()), CEL))
                .as("no digest, nothing recomputed").isEmpty();
    }

    @Test
    void aDigestMeasuredElsewhereOrAnotherShapeOrContentTypeHasNoDescription() {
        // extendDigest: the content names the event, the digest is of something the log does not hold
        Event elsewhere = guestAttest("digest measured elsewhere", new byte[0], Bytes.of(HashAlgorithm.SHA384.hash(new byte[] {9})));
        assertThat(EventDescription.verified(elsewhere, CEL)).isEmpty();
        // two descriptions in one content: which one would count is ambiguous, so neither does
        Bytes twice = Bytes.of(concat(new CelTlv.Tlv(0, Bytes.of("malware.bin".getBytes(StandardCharsets.UTF_8))).encode(),
                MeasurementLog.content("app.jar", Bytes.EMPTY).toArray()));
        Event ambiguous = new Event(0, Event.IndexKind.CC_MR, 3, CelTlv.CONTENT_GUEST_ATTEST, List.of(new Event.Digest(HashAlgorithm.SHA384,
                Bytes.of(HashAlgorithm.SHA384.hash(new CelTlv.Tlv(CelTlv.CONTENT_GUEST_ATTEST, twice).encode())))), twice);
        assertThat(EventDescription.verified(ambiguous, CEL)).isEmpty();
        // the same bytes under another CEL content type (Confidential Space's COS events are 80) are not GuestAttest's
        byte[] data = {1};
        Event e = guestAttest("app.jar", data, measured("app.jar", data));
        assertThat(EventDescription.verified(new Event(0, e.indexKind(), e.index(), 80, e.digests(), e.data()), CEL)).isEmpty();
        // and read as a TCG event type 0xA7 means nothing
        assertThat(EventDescription.verified(e, TCG)).isEmpty();
    }

    @Test
    void invalidUtf8IsNotADescription() {
        byte[] bad = {(byte) 0xc3, 0x28};
        Bytes content = Bytes.of(concat(new CelTlv.Tlv(0, Bytes.of(bad)).encode(), new CelTlv.Tlv(1, Bytes.EMPTY).encode()));
        Event e = new Event(0, Event.IndexKind.CC_MR, 3, CelTlv.CONTENT_GUEST_ATTEST, List.of(new Event.Digest(HashAlgorithm.SHA384,
                Bytes.of(HashAlgorithm.SHA384.hash(new CelTlv.Tlv(CelTlv.CONTENT_GUEST_ATTEST, content).encode())))), content);
        assertThat(EventDescription.claimed(e, CEL)).isEmpty();
    }

    @Test
    void uefiActionStringsAndTheCrtmVersionRecomputeInRealLogsAndIplOrTaggedEventsNever() {
        Tcg2Log ubuntu = Tcg2Log.parse(Vectors.read("tpm/go-tpm-tools/ubuntu-2404-amd-sevsnp.bin"), Event.IndexKind.PCR);
        List<String> described = ubuntu.events().stream().map(e -> EventDescription.verified(e, TCG)).flatMap(Optional::stream).toList();
        assertThat(described).contains("Calling EFI Application from Boot Option", "GCE Virtual Firmware v2");
        // every one that names itself recomputes: an honest log has nothing to lose
        assertThat(ubuntu.events().stream().filter(e -> EventDescription.claimed(e, TCG).isPresent())
                .allMatch(e -> EventDescription.verified(e, TCG).isPresent())).isTrue();
        // EV_IPL (shim's MokList...) and EV_EVENT_TAG (the stub's LoadOptions) describe what was hashed: no description at all
        assertThat(ubuntu.events().stream().filter(e -> e.type() == 0xd || e.type() == 0x6)).isNotEmpty()
                .allMatch(e -> EventDescription.claimed(e, TCG).isEmpty());
        Tcg2Log ccel = Tcg2Log.parse(Vectors.read("intel-tdx/go-tdx-guest-ccel/ccel_data.dat"), Event.IndexKind.CC_MR);
        assertThat(ccel.events().stream().map(e -> EventDescription.verified(e, TCG)).flatMap(Optional::stream))
                .contains("Exit Boot Services Invocation");
    }

    @Test
    void aRelabelledUefiActionIsNotBelieved() {
        Tcg2Log log = Tcg2Log.parse(Vectors.read("tpm/go-tpm-tools/rhel8-uefi.bin"), Event.IndexKind.PCR);
        Event calling = log.events().stream().filter(e -> e.type() == EventDescription.EV_EFI_ACTION).findFirst().orElseThrow();
        Event relabelled = new Event(calling.recnum(), calling.indexKind(), calling.index(), calling.type(), calling.digests(),
                Bytes.of("Exit Boot Services Invocation".getBytes(StandardCharsets.US_ASCII)));
        assertThat(EventDescription.claimed(relabelled, TCG)).contains("Exit Boot Services Invocation");
        assertThat(EventDescription.verified(relabelled, TCG)).isEmpty();
        // a NUL terminator is part of what was hashed, not of the description
        byte[] text = "Calling EFI Application from Boot Option\0".getBytes(StandardCharsets.US_ASCII);
        Event terminated = new Event(0, Event.IndexKind.PCR, 4, EventDescription.EV_EFI_ACTION, List.of(new Event.Digest(HashAlgorithm.SHA256,
                Bytes.of(HashAlgorithm.SHA256.hash(text)))), Bytes.of(text));
        assertThat(EventDescription.verified(terminated, TCG)).contains("Calling EFI Application from Boot Option");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
